// ProductService, the product matrix: the operator's roles and the matrix report (admin routes).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/product/api/product_api.h"

namespace zhongtai::product {
namespace {

using proto::SetMoney;
using proto::ToTimestamp;

constexpr size_t kMaxId = 64;

absl::Status ValidProductId(const std::string& id) {
  if (absl::StripAsciiWhitespace(id).empty()) {
    return InvalidArgument("productId", "FIELD_REQUIRED", "productId is required");
  }
  if (id.size() > kMaxId) return InvalidArgument("productId", "FIELD_TOO_LONG", "productId is longer than 64");
  return absl::OkStatus();
}

v1::LifecycleStage StageToProto(LifecycleStage stage) {
  switch (stage) {
    case LifecycleStage::kNew: return v1::LIFECYCLE_STAGE_NEW;
    case LifecycleStage::kGrowing: return v1::LIFECYCLE_STAGE_GROWING;
    case LifecycleStage::kMature: return v1::LIFECYCLE_STAGE_MATURE;
    case LifecycleStage::kDeclining: return v1::LIFECYCLE_STAGE_DECLINING;
  }
  return v1::LIFECYCLE_STAGE_UNSPECIFIED;
}

ProductRole RoleFromProto(v1::ProductRole role) {
  switch (role) {
    case v1::PRODUCT_ROLE_TRAFFIC: return ProductRole::kTraffic;
    case v1::PRODUCT_ROLE_PROFIT: return ProductRole::kProfit;
    case v1::PRODUCT_ROLE_IMAGE: return ProductRole::kImage;
    case v1::PRODUCT_ROLE_LONG_TAIL: return ProductRole::kLongTail;
    default: return ProductRole::kUnspecified;
  }
}

int32_t BasisPoints(int64_t part, int64_t whole) { return static_cast<int32_t>(RateBasisPoints(part, whole)); }

void ToProto(const MatrixEntry& entry, v1::ProductMatrixEntry* out) {
  const ProductFigures& f = entry.figures;
  out->set_product_id(f.product_id);
  out->set_title(f.title);
  out->set_role(ProductRoleToProto(f.role));
  out->set_suggested_role(ProductRoleToProto(entry.suggestion.role));
  out->set_stage(StageToProto(entry.stage));
  out->set_suggestion_reason(entry.suggestion.reason);
  *out->mutable_listed_time() = ToTimestamp(f.listed_at);
  v1::ProductMatrixMetrics* m = out->mutable_metrics();
  m->set_source(f.from_datahub ? v1::METRICS_SOURCE_DATAHUB : v1::METRICS_SOURCE_LEDGER);
  m->set_unique_visitors(f.unique_visitors);
  m->set_add_to_cart_rate_bp(BasisPoints(f.add_to_cart_visitors, f.unique_visitors));
  m->set_conversion_rate_bp(BasisPoints(f.buyers, f.unique_visitors));
  m->set_return_rate_bp(BasisPoints(f.units_returned, f.units_sold));
  m->set_units_sold(f.units_sold);
  SetMoney(m->mutable_gmv(), f.gmv.currency, f.gmv.amount_minor);
  if (entry.margin_bp) {
    m->set_margin_bp(static_cast<int32_t>(*entry.margin_bp));
    m->set_has_margin(true);
  }
  SetMoney(m->mutable_top_price(), entry.top_price.currency, entry.top_price.amount_minor);
  m->set_recent_units(f.recent_units);
  m->set_previous_units(f.previous_units);
}

}  // namespace

v1::ProductRole ProductRoleToProto(ProductRole role) {
  switch (role) {
    case ProductRole::kUnspecified: return v1::PRODUCT_ROLE_UNSPECIFIED;
    case ProductRole::kTraffic: return v1::PRODUCT_ROLE_TRAFFIC;
    case ProductRole::kProfit: return v1::PRODUCT_ROLE_PROFIT;
    case ProductRole::kImage: return v1::PRODUCT_ROLE_IMAGE;
    case ProductRole::kLongTail: return v1::PRODUCT_ROLE_LONG_TAIL;
  }
  return v1::PRODUCT_ROLE_UNSPECIFIED;
}

grpc::ServerUnaryReactor* ProductApi::GetProductMatrix(grpc::CallbackServerContext* context,
                                                       const v1::GetProductMatrixRequest* request,
                                                       v1::GetProductMatrixResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->page_size() < 0) {
      return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
    }
    ASSIGN_OR_RETURN(MatrixPage page, catalogue_.roles.Matrix(request->page_size(), request->page_token()));
    for (const MatrixCell& cell : page.report.cells) {
      v1::ProductMatrixCell* out = response->add_cells();
      out->set_role(ProductRoleToProto(cell.role));
      out->set_stage(StageToProto(cell.stage));
      out->set_products(cell.products);
    }
    for (const MatrixEntry& entry : page.report.mismatches) ToProto(entry, response->add_mismatches());
    response->set_next_page_token(page.next_page_token);
    response->set_total_products(page.report.total_products);
    *response->mutable_window_start() = ToTimestamp(page.window_start);
    *response->mutable_window_end() = ToTimestamp(page.window_end);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::SetProductRole(grpc::CallbackServerContext* context,
                                                     const v1::SetProductRoleRequest* request,
                                                     v1::SetProductRoleResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(ValidProductId(request->product_id()));
    const ProductRole role = RoleFromProto(request->role());
    ASSIGN_OR_RETURN(absl::Time at, catalogue_.roles.SetRole(request->product_id(), role));
    response->set_product_id(request->product_id());
    response->set_role(ProductRoleToProto(role));
    *response->mutable_update_time() = ToTimestamp(at);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::product
