// CampaignService's A/B experiments (admin): create and list.
#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/marketing/api/campaign_api.h"

namespace zhongtai::marketing {
namespace {

absl::StatusOr<absl::Time> ReadTime(bool present, const google::protobuf::Timestamp& ts, const std::string& field) {
  if (!present) return InvalidArgument(field, "TIME_MISSING", field + " is required");
  if (!proto::IsValidTimestamp(ts)) return InvalidArgument(field, "TIME_INVALID", field + " is out of range");
  return proto::FromTimestamp(ts);
}

absl::StatusOr<Experiment> FromProto(const v1::Experiment& in) {
  Experiment e;
  e.name = in.name();
  ASSIGN_OR_RETURN(e.start_time, ReadTime(in.has_start_time(), in.start_time(), "experiment.startTime"));
  ASSIGN_OR_RETURN(e.end_time, ReadTime(in.has_end_time(), in.end_time(), "experiment.endTime"));
  for (const v1::ExperimentArm& arm : in.arms()) {
    ExperimentArm out{arm.name(), arm.traffic_bp(), {arm.promotion_ids().begin(), arm.promotion_ids().end()}, {}};
    for (const v1::ArmPrice& price : arm.prices()) {
      // An empty currency is CNY, as for promotions.
      const std::string currency = price.price().currency().empty() ? "CNY" : price.price().currency();
      out.prices.push_back({price.sku_id(), currency, price.price().amount_minor()});
    }
    e.arms.push_back(std::move(out));
  }
  return e;
}

void ToProto(const Experiment& e, v1::Experiment* out) {
  out->set_experiment_id(e.experiment_id);
  out->set_name(e.name);
  *out->mutable_start_time() = proto::ToTimestamp(e.start_time);
  *out->mutable_end_time() = proto::ToTimestamp(e.end_time);
  for (const ExperimentArm& arm : e.arms) {
    v1::ExperimentArm* a = out->add_arms();
    a->set_name(arm.name);
    a->set_traffic_bp(arm.traffic_bp);
    for (const std::string& id : arm.promotion_ids) a->add_promotion_ids(id);
    for (const ArmPrice& price : arm.prices) {
      v1::ArmPrice* p = a->add_prices();
      p->set_sku_id(price.sku_id);
      proto::SetMoney(p->mutable_price(), price.currency, price.price);
    }
  }
  *out->mutable_create_time() = proto::ToTimestamp(e.created_at);
}

}  // namespace

grpc::ServerUnaryReactor* CampaignApi::CreateExperiment(grpc::CallbackServerContext* context,
                                                        const v1::CreateExperimentRequest* request,
                                                        v1::CreateExperimentResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (!request->has_experiment()) {
      return InvalidArgument("experiment", "EXPERIMENT_MISSING", "experiment is required");
    }
    ASSIGN_OR_RETURN(Experiment in, FromProto(request->experiment()));
    ASSIGN_OR_RETURN(Experiment created, experiments_.Create(std::move(in), request->request_id()));
    ToProto(created, response->mutable_experiment());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CampaignApi::ListExperiments(grpc::CallbackServerContext* context,
                                                       const v1::ListExperimentsRequest* request,
                                                       v1::ListExperimentsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(ExperimentPage page, experiments_.List(request->page_size(), request->page_token()));
    for (const Experiment& e : page.experiments) ToProto(e, response->add_experiments());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
