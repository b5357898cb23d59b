#include "services/datahub/api/funnel_api.h"

#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "google/protobuf/util/time_util.h"

namespace zhongtai::datahub {
namespace {

using google::protobuf::util::TimeUtil;

absl::StatusOr<absl::Time> RequiredTime(bool has, const google::protobuf::Timestamp& ts, const char* field) {
  if (!has) return InvalidArgument(field, "REQUIRED", std::string(field) + " is required");
  if (!proto::IsValidTimestamp(ts)) {
    return InvalidArgument(field, "INVALID_TIMESTAMP", std::string(field) + " is not a valid timestamp");
  }
  return proto::FromTimestamp(ts);
}

void SetSteps(const std::vector<FunnelStepFigures>& steps,
              google::protobuf::RepeatedPtrField<v1::FunnelStepFigures>* out) {
  for (const FunnelStepFigures& step : steps) {
    v1::FunnelStepFigures* s = out->Add();
    s->set_step(static_cast<v1::FunnelStepName>(static_cast<int>(step.step) + 1));
    s->set_journeys(step.journeys);
    s->set_conversion_from_previous(step.conversion_from_previous);
    s->set_conversion_from_start(step.conversion_from_start);
    s->set_dropped(step.dropped);
  }
}

}  // namespace

grpc::ServerUnaryReactor* FunnelApi::GetFunnel(grpc::CallbackServerContext* context,
                                               const v1::GetFunnelRequest* request, v1::GetFunnelResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    FunnelQuery query;
    ASSIGN_OR_RETURN(query.start_time, RequiredTime(request->has_start_time(), request->start_time(), "startTime"));
    ASSIGN_OR_RETURN(query.end_time, RequiredTime(request->has_end_time(), request->end_time(), "endTime"));
    query.window = absl::ZeroDuration();
    if (request->has_window()) {
      const google::protobuf::Duration& w = request->window();
      if (w.seconds() < TimeUtil::kDurationMinSeconds || w.seconds() > TimeUtil::kDurationMaxSeconds) {
        return InvalidArgument("window", "FUNNEL_WINDOW_INVALID", "window is not a valid duration");
      }
      query.window = absl::Microseconds(TimeUtil::DurationToMicroseconds(request->window()));
    }
    query.channel = request->channel();
    ASSIGN_OR_RETURN(FunnelReport report, funnel_.GetFunnel(query));
    *response->mutable_start_time() = proto::ToTimestampExact(report.query.start_time);
    *response->mutable_end_time() = proto::ToTimestampExact(report.query.end_time);
    response->set_window_seconds(absl::ToInt64Seconds(report.query.window));
    SetSteps(report.steps, response->mutable_steps());
    for (const auto& [channel, steps] : report.by_channel) {
      v1::ChannelFunnel* out = response->add_channels();
      out->set_channel(channel);
      SetSteps(steps, out->mutable_steps());
    }
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
