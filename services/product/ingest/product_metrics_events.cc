#include "services/product/ingest/product_metrics_events.h"

#include "common/log/log.h"
#include "common/proto/convert.h"
#include "services/product/domain/datahub_metrics.h"
#include "services/product/store/pg_product_matrix_store.h"
#include "zhongtai/datahub/v1/product_metrics_events.pb.h"

namespace zhongtai::product {
namespace {

absl::Status Skip(const events::Event& event, const std::string& why) {
  log::Error("skipping product metrics event", {{"type", event.type}, {"event_id", event.id}, {"why", why}});
  return absl::OkStatus();
}

Money MoneyOf(const zhongtai::type::v1::Money& money) { return {money.currency(), money.amount_minor()}; }

}  // namespace

events::Handler MakeProductMetricsHandler() {
  return [](pqxx::work& tx, const events::Event& event) -> absl::Status {
    if (event.type != datahub::v1::ProductMetricsComputed::descriptor()->full_name()) return absl::OkStatus();
    datahub::v1::ProductMetricsComputed in;
    if (!in.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
    DailyProductMetrics m;
    m.event_id = event.id;
    m.product_id = in.product_id().empty() ? event.key : in.product_id();
    m.day_start = proto::FromTimestamp(in.window_start());
    m.unique_visitors = in.unique_visitors();
    m.add_to_cart_visitors = in.add_to_cart_visitors();
    m.buyers = in.buyers();
    m.units_sold = in.units_sold();
    m.gmv = MoneyOf(in.gmv());
    m.units_returned = in.units_returned();
    m.computed_at = in.has_compute_time() ? proto::FromTimestamp(in.compute_time()) : event.occurred_at;
    for (const datahub::v1::SkuMetrics& s : in.skus()) {
      m.skus.push_back({s.sku_id(), s.units_sold(), MoneyOf(s.gmv()), s.units_returned(), s.add_to_cart_visitors()});
    }
    if (absl::Status valid = ValidateDailyMetrics(m, proto::FromTimestamp(in.window_end())); !valid.ok()) {
      return Skip(event, valid.ToString());
    }
    pg_store::SaveDailyMetrics(tx, m);
    return absl::OkStatus();
  };
}

std::set<std::string> ProductMetricsHandlerTypes() {
  return {datahub::v1::ProductMetricsComputed::descriptor()->full_name()};
}

}  // namespace zhongtai::product
