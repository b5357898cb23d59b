#include "services/datahub/api/product_analytics_api.h"

#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

void ToProto(const ProductCounts& in, const std::string& currency, v1::ProductMetricsFigures* out) {
  const ProductRates rates = RatesOf(in);
  out->set_sku_id(in.sku_id);
  out->set_unique_visitors(in.unique_visitors);
  out->set_add_to_cart_visitors(in.add_to_cart_visitors);
  out->set_buyers(in.buyers);
  out->set_units_sold(in.units_sold);
  proto::SetMoney(out->mutable_gmv(), currency, in.gmv_minor);
  out->set_units_returned(in.units_returned);
  out->set_add_to_cart_rate(rates.add_to_cart_rate);
  out->set_conversion_rate(rates.conversion_rate);
  proto::SetMoney(out->mutable_uv_value(), currency, rates.uv_value_minor);
  out->set_return_rate(rates.return_rate);
  if (rates.margin_minor) proto::SetMoney(out->mutable_margin(), currency, *rates.margin_minor);
  if (rates.margin_bps) out->set_margin_bps(*rates.margin_bps);
}

absl::StatusOr<ProductSort> SortOf(v1::ProductMetricsSort sort) {
  switch (sort) {
    case v1::PRODUCT_METRICS_SORT_UNSPECIFIED:
    case v1::PRODUCT_METRICS_SORT_GMV: return ProductSort::kGmv;
    case v1::PRODUCT_METRICS_SORT_UNITS_SOLD: return ProductSort::kUnitsSold;
    case v1::PRODUCT_METRICS_SORT_UNIQUE_VISITORS: return ProductSort::kUniqueVisitors;
    default: return InvalidArgument("sort", "INVALID_SORT", "sort is GMV, UNITS_SOLD or UNIQUE_VISITORS");
  }
}

absl::StatusOr<std::optional<absl::Time>> OptionalTime(bool has, const google::protobuf::Timestamp& ts,
                                                       const char* field) {
  if (!has) return std::optional<absl::Time>();
  if (!proto::IsValidTimestamp(ts)) {
    return InvalidArgument(field, "INVALID_TIMESTAMP", std::string(field) + " is not a valid timestamp");
  }
  return std::optional<absl::Time>(proto::FromTimestamp(ts));
}

}  // namespace

grpc::ServerUnaryReactor* ProductAnalyticsApi::GetProductMetrics(grpc::CallbackServerContext* context,
                                                                 const v1::GetProductMetricsRequest* request,
                                                                 v1::GetProductMetricsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ProductRangeQuery query;
    query.product_id = request->product_id();
    ASSIGN_OR_RETURN(query.start_time, OptionalTime(request->has_start_time(), request->start_time(), "startTime"));
    ASSIGN_OR_RETURN(query.end_time, OptionalTime(request->has_end_time(), request->end_time(), "endTime"));
    query.currency = request->currency().empty() ? "CNY" : request->currency();
    ASSIGN_OR_RETURN(ProductMetrics metrics, products_.GetProduct(query));
    response->set_product_id(metrics.query.product_id);
    *response->mutable_start_time() = proto::ToTimestamp(metrics.query.start_time);
    *response->mutable_end_time() = proto::ToTimestamp(metrics.query.end_time);
    ToProto(metrics.product, metrics.query.currency, response->mutable_product());
    for (const ProductCounts& sku : metrics.skus) ToProto(sku, metrics.query.currency, response->add_skus());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductAnalyticsApi::ListProductMetrics(grpc::CallbackServerContext* context,
                                                                  const v1::ListProductMetricsRequest* request,
                                                                  v1::ListProductMetricsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ProductListQuery query;
    ASSIGN_OR_RETURN(query.start_time, OptionalTime(request->has_start_time(), request->start_time(), "startTime"));
    ASSIGN_OR_RETURN(query.end_time, OptionalTime(request->has_end_time(), request->end_time(), "endTime"));
    query.currency = request->currency();
    ASSIGN_OR_RETURN(query.sort, SortOf(request->sort()));
    query.page_size = request->page_size();
    query.page_token = request->page_token();
    ASSIGN_OR_RETURN(ProductListPage page, products_.ListProducts(query));
    *response->mutable_start_time() = proto::ToTimestamp(page.start_time);
    *response->mutable_end_time() = proto::ToTimestamp(page.end_time);
    for (const ProductSummary& product : page.products) {
      v1::ProductMetricsSummary* out = response->add_products();
      out->set_product_id(product.product_id);
      ToProto(product.counts, page.currency, out->mutable_figures());
    }
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductAnalyticsApi::ListDailyReports(grpc::CallbackServerContext* context,
                                                                const v1::ListDailyReportsRequest* request,
                                                                v1::ListDailyReportsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    const int page_size = request->page_size() == 0 ? 30 : request->page_size();
    ASSIGN_OR_RETURN(std::vector<StoredReport> reports, reports_.List(request->before_date(), page_size));
    for (const StoredReport& stored : reports) {
      v1::DailyReportSummary* summary = response->add_reports();
      summary->set_date(stored.date);
      *summary->mutable_generate_time() = proto::ToTimestamp(stored.generated_at);
      proto::SetMoney(summary->mutable_gmv(), stored.currency, stored.gmv_minor);
    }
    if (static_cast<int>(reports.size()) == page_size) response->set_next_before_date(reports.back().date);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductAnalyticsApi::GetDailyReport(grpc::CallbackServerContext* context,
                                                              const v1::GetDailyReportRequest* request,
                                                              v1::GetDailyReportResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(StoredReport stored, reports_.Get(request->date()));
    if (!response->mutable_report()->ParseFromString(stored.encoded)) {
      return absl::InternalError("the stored report does not parse");
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductAnalyticsApi::GetDailyReportPage(grpc::CallbackServerContext* context,
                                                                  const v1::GetDailyReportPageRequest* request,
                                                                  v1::GetDailyReportPageResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(StoredReport stored, reports_.Get(request->date()));
    response->mutable_page()->set_content_type("text/html; charset=utf-8");
    response->mutable_page()->set_body(std::move(stored.html));
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
