#include "services/datahub/api/datahub_api.h"

#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

using proto::SetMoney;

absl::StatusOr<absl::Time> RequiredTime(bool has, const google::protobuf::Timestamp& ts, const char* field) {
  if (!has) return InvalidArgument(field, "REQUIRED", std::string(field) + " is required");
  if (!proto::IsValidTimestamp(ts)) {
    return InvalidArgument(field, "INVALID_TIMESTAMP", std::string(field) + " is not a valid timestamp");
  }
  return proto::FromTimestamp(ts);
}

// The query's times go back as the client sent them, to the nanosecond.
google::protobuf::Timestamp ToProto(absl::Time t) { return proto::ToTimestampExact(t); }

}  // namespace

grpc::ServerUnaryReactor* DatahubApi::GetDashboard(grpc::CallbackServerContext* context,
                                                   const v1::GetDashboardRequest* request,
                                                   v1::GetDashboardResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    DashboardQuery query;
    ASSIGN_OR_RETURN(query.start_time, RequiredTime(request->has_start_time(), request->start_time(), "startTime"));
    ASSIGN_OR_RETURN(query.end_time, RequiredTime(request->has_end_time(), request->end_time(), "endTime"));
    if (!request->currency().empty()) query.currency = request->currency();
    ASSIGN_OR_RETURN(Dashboard dashboard, analytics_.GetDashboard(query));
    const std::string& currency = dashboard.query.currency;
    *response->mutable_start_time() = ToProto(dashboard.query.start_time);
    *response->mutable_end_time() = ToProto(dashboard.query.end_time);
    response->set_orders_placed(dashboard.totals.orders_placed);
    response->set_orders_paid(dashboard.totals.orders_paid);
    response->set_orders_cancelled(dashboard.totals.orders_cancelled);
    SetMoney(response->mutable_gmv(), currency, dashboard.totals.gmv_minor);
    SetMoney(response->mutable_paid_gmv(), currency, dashboard.totals.paid_gmv_minor);
    SetMoney(response->mutable_average_order_value(), currency, dashboard.average_order_value_minor);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
