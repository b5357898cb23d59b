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

void SetFigures(const DashboardKpis& kpis, const std::string& currency, v1::DashboardFigures* out) {
  const DashboardFigures& f = kpis.figures;
  out->set_orders_placed(f.orders_placed);
  out->set_orders_paid(f.orders_paid);
  out->set_orders_cancelled(f.orders_cancelled);
  out->set_orders_refunded(f.orders_refunded);
  SetMoney(out->mutable_gmv(), currency, f.gmv_minor);
  SetMoney(out->mutable_paid_gmv(), currency, f.paid_gmv_minor);
  SetMoney(out->mutable_refunded(), currency, f.refunded_minor);
  SetMoney(out->mutable_average_order_value(), currency, kpis.average_order_value_minor);
  out->set_buyers(f.buyers);
  out->set_page_views(f.page_views);
  out->set_visitors(f.visitors);
  out->set_conversion_rate(kpis.conversion_rate);
  out->set_refund_rate(kpis.refund_rate);
}

}  // namespace

grpc::ServerUnaryReactor* DatahubApi::GetDashboard(grpc::CallbackServerContext* context,
                                                   const v1::GetDashboardRequest* request,
                                                   v1::GetDashboardResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    KpiQuery query;
    if (request->has_start_time() || request->has_end_time()) {
      // Both or neither: with one, the other is reported missing.
      ASSIGN_OR_RETURN(query.start_time, RequiredTime(request->has_start_time(), request->start_time(), "startTime"));
      ASSIGN_OR_RETURN(query.end_time, RequiredTime(request->has_end_time(), request->end_time(), "endTime"));
    }
    if (!request->currency().empty()) query.currency = request->currency();
    ASSIGN_OR_RETURN(KpiDashboard dashboard, analytics_.GetDashboard(query));
    const std::string& currency = dashboard.currency;
    const DashboardKpis& total = dashboard.total;
    *response->mutable_start_time() = ToProto(dashboard.start_time);
    *response->mutable_end_time() = ToProto(dashboard.end_time);
    response->set_orders_placed(total.figures.orders_placed);
    response->set_orders_paid(total.figures.orders_paid);
    response->set_orders_cancelled(total.figures.orders_cancelled);
    SetMoney(response->mutable_gmv(), currency, total.figures.gmv_minor);
    SetMoney(response->mutable_paid_gmv(), currency, total.figures.paid_gmv_minor);
    SetMoney(response->mutable_average_order_value(), currency, total.average_order_value_minor);
    response->set_time_zone(dashboard.time_zone);
    SetFigures(total, currency, response->mutable_totals());
    for (const auto& [day, kpis] : dashboard.days) {
      v1::DashboardDay* out = response->add_days();
      out->set_date(DayLabel(day.day));
      *out->mutable_start_time() = ToProto(day.start);
      *out->mutable_end_time() = ToProto(day.end);
      SetFigures(kpis, currency, out->mutable_figures());
    }
    for (const auto& [channel, kpis] : dashboard.channels) {
      v1::DashboardChannel* out = response->add_channels();
      out->set_channel(channel);
      SetFigures(kpis, currency, out->mutable_figures());
    }
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
