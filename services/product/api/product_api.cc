#include "services/product/api/product_api.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::product {
namespace {

using proto::SetMoney;
using proto::ToTimestamp;

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxRequestIdLength = 128;
constexpr size_t kMaxNameLength = 100;
constexpr size_t kMaxTitleLength = 200;
constexpr size_t kMaxDescriptionLength = 10000;
constexpr int kMaxSkusPerProduct = 100;
constexpr int kMaxAttributes = 20;
constexpr int kMaxBatch = 100;
constexpr int64_t kMaxQuantity = 1000000;
constexpr int64_t kMaxStockDelta = 1000000000;

absl::Status Required(const std::string& value, const std::string& field, size_t max_length) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    return InvalidArgument(field, "FIELD_REQUIRED", absl::StrCat(field, " is required"));
  }
  if (value.size() > max_length) {
    return InvalidArgument(field, "FIELD_TOO_LONG", absl::StrCat(field, " is longer than ", max_length));
  }
  return absl::OkStatus();
}

absl::Status Optional(const std::string& value, const std::string& field, size_t max_length) {
  if (value.size() > max_length) {
    return InvalidArgument(field, "FIELD_TOO_LONG", absl::StrCat(field, " is longer than ", max_length));
  }
  return absl::OkStatus();
}

// Warehouse ids are short codes: lower-case letters, digits, '-' and '_'.
absl::Status ValidWarehouse(const std::string& id, const std::string& field) {
  if (id.empty()) return absl::OkStatus();
  bool ok = id.size() <= kMaxIdLength;
  for (char c : id) ok = ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_');
  if (!ok) {
    return InvalidArgument(field, "INVALID_WAREHOUSE_ID",
                           "warehouse id is lower-case letters, digits, '-' and '_', at most 64");
  }
  return absl::OkStatus();
}

absl::Status ValidPageSize(int32_t page_size) {
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  return absl::OkStatus();
}

absl::Status ValidPrice(const v1::NewSku& sku, const std::string& field) {
  if (!sku.has_price()) return InvalidArgument(field, "FIELD_REQUIRED", "price is required");
  const std::string& currency = sku.price().currency();
  bool ok = currency.size() == 3;
  for (char c : currency) ok = ok && absl::ascii_isupper(c);
  if (!ok) {
    return InvalidArgument(field + ".currency", "INVALID_CURRENCY", "currency is an ISO 4217 code such as CNY");
  }
  if (sku.price().amount_minor() < 0) {
    return InvalidArgument(field + ".amountMinor", "PRICE_NEGATIVE", "price must not be negative");
  }
  return absl::OkStatus();
}

v1::ReservationStatus StatusToProto(ReservationStatus status) {
  switch (status) {
    case ReservationStatus::kHeld: return v1::RESERVATION_STATUS_HELD;
    case ReservationStatus::kConfirmed: return v1::RESERVATION_STATUS_CONFIRMED;
    case ReservationStatus::kReleased: return v1::RESERVATION_STATUS_RELEASED;
    case ReservationStatus::kExpired: return v1::RESERVATION_STATUS_EXPIRED;
  }
  return v1::RESERVATION_STATUS_UNSPECIFIED;
}

void ToProto(const Category& category, v1::Category* out) {
  out->set_category_id(category.category_id);
  out->set_name(category.name);
  out->set_parent_id(category.parent_id);
}

}  // namespace

absl::Status Validate(const v1::CreateCategoryRequest& request) {
  RETURN_IF_ERROR(Required(request.name(), "name", kMaxNameLength));
  RETURN_IF_ERROR(Optional(request.parent_id(), "parentId", kMaxIdLength));
  return Optional(request.request_id(), "requestId", kMaxRequestIdLength);
}

absl::Status Validate(const v1::CreateProductRequest& request) {
  RETURN_IF_ERROR(Required(request.title(), "title", kMaxTitleLength));
  RETURN_IF_ERROR(Optional(request.description(), "description", kMaxDescriptionLength));
  RETURN_IF_ERROR(Required(request.category_id(), "categoryId", kMaxIdLength));
  RETURN_IF_ERROR(Optional(request.request_id(), "requestId", kMaxRequestIdLength));
  // Catalogue: without SKUs, the sales attributes generate them at the default price.
  RETURN_IF_ERROR(Optional(request.subtitle(), "subtitle", kMaxTitleLength));
  RETURN_IF_ERROR(Optional(request.brand_id(), "brandId", kMaxIdLength));
  RETURN_IF_ERROR(Optional(request.sku_code_prefix(), "skuCodePrefix", kMaxIdLength - 4));
  if (request.skus().empty() && request.sales_attributes().empty()) {
    return InvalidArgument("skus", "FIELD_REQUIRED", "a product needs skus, or sales attributes to generate them");
  }
  if (request.skus().empty()) RETURN_IF_ERROR(ValidMoney(request.default_price(), "defaultPrice"));
  if (request.skus_size() > kMaxSkusPerProduct) {
    return InvalidArgument("skus", "TOO_MANY_SKUS", absl::StrCat("at most ", kMaxSkusPerProduct, " skus"));
  }
  std::set<std::string> codes;
  for (int i = 0; i < request.skus_size(); ++i) {
    const v1::NewSku& sku = request.skus(i);
    std::string field = absl::StrCat("skus[", i, "]");
    RETURN_IF_ERROR(Required(sku.sku_code(), field + ".skuCode", kMaxIdLength));
    if (!codes.insert(sku.sku_code()).second) {
      return InvalidArgument(field + ".skuCode", "DUPLICATE_SKU_CODE", "sku codes must differ within a product");
    }
    RETURN_IF_ERROR(Optional(sku.spec(), field + ".spec", kMaxTitleLength));
    RETURN_IF_ERROR(ValidPrice(sku, field + ".price"));
    if (sku.initial_stock() < 0 || sku.initial_stock() > kMaxStockDelta) {
      return InvalidArgument(field + ".initialStock", "INVALID_STOCK", "initial stock must be 0 to 1e9");
    }
    RETURN_IF_ERROR(ValidWarehouse(sku.warehouse_id(), field + ".warehouseId"));
    if (sku.attributes_size() > kMaxAttributes) {
      return InvalidArgument(field + ".attributes", "TOO_MANY_ATTRIBUTES",
                             absl::StrCat("at most ", kMaxAttributes, " attributes"));
    }
    for (const auto& [name, value] : sku.attributes()) {
      std::string attribute = absl::StrCat(field, ".attributes[", name, "]");
      RETURN_IF_ERROR(Required(name, field + ".attributes", kMaxIdLength));
      RETURN_IF_ERROR(Optional(value, attribute, kMaxTitleLength));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::ListProductsRequest& request) {
  RETURN_IF_ERROR(ValidPageSize(request.page_size()));
  RETURN_IF_ERROR(Optional(request.category_id(), "categoryId", kMaxIdLength));
  return Optional(request.q(), "q", kMaxTitleLength);
}

absl::Status Validate(const v1::AdjustStockRequest& request) {
  RETURN_IF_ERROR(Required(request.sku_id(), "skuId", kMaxIdLength));
  RETURN_IF_ERROR(ValidWarehouse(request.warehouse_id(), "warehouseId"));
  if (request.delta() == 0) return InvalidArgument("delta", "DELTA_ZERO", "delta must not be zero");
  if (request.delta() > kMaxStockDelta || request.delta() < -kMaxStockDelta) {
    return InvalidArgument("delta", "DELTA_TOO_LARGE", "delta must be within 1e9");
  }
  RETURN_IF_ERROR(Optional(request.reason(), "reason", kMaxTitleLength));
  return Optional(request.request_id(), "requestId", kMaxRequestIdLength);
}

absl::Status Validate(const v1::BatchGetSkusRequest& request) {
  if (request.sku_ids().empty()) return InvalidArgument("skuIds", "FIELD_REQUIRED", "sku ids are required");
  if (request.sku_ids_size() > kMaxBatch) {
    return InvalidArgument("skuIds", "TOO_MANY_SKUS", absl::StrCat("at most ", kMaxBatch, " sku ids"));
  }
  for (int i = 0; i < request.sku_ids_size(); ++i) {
    RETURN_IF_ERROR(Required(request.sku_ids(i), absl::StrCat("skuIds[", i, "]"), kMaxIdLength));
  }
  return ValidateShippingRegion(FromProto(request.shipping_region()), "shippingRegion");
}

absl::Status Validate(const v1::ReserveStockRequest& request) {
  RETURN_IF_ERROR(Required(request.order_id(), "orderId", kMaxIdLength));
  if (request.lines().empty()) return InvalidArgument("lines", "FIELD_REQUIRED", "at least one line is required");
  if (request.lines_size() > kMaxBatch) {
    return InvalidArgument("lines", "TOO_MANY_LINES", absl::StrCat("at most ", kMaxBatch, " lines"));
  }
  for (int i = 0; i < request.lines_size(); ++i) {
    std::string field = absl::StrCat("lines[", i, "]");
    RETURN_IF_ERROR(Required(request.lines(i).sku_id(), field + ".skuId", kMaxIdLength));
    if (request.lines(i).quantity() <= 0) {
      return InvalidArgument(field + ".quantity", "QUANTITY_NOT_POSITIVE", "quantity must be positive");
    }
    if (request.lines(i).quantity() > kMaxQuantity) {
      return InvalidArgument(field + ".quantity", "QUANTITY_TOO_LARGE", "quantity must be at most 1e6");
    }
  }
  if (request.ttl_seconds() < 0 || request.ttl_seconds() > kMaxReservationTtlSeconds) {
    return InvalidArgument("ttlSeconds", "INVALID_TTL", "ttl must be 0 (default) to 7 days");
  }
  return ValidateShippingRegion(FromProto(request.shipping_region()), "shippingRegion");
}

void ToProto(const Sku& sku, v1::Sku* out) {
  out->set_sku_id(sku.sku_id);
  out->set_product_id(sku.product_id);
  out->set_sku_code(sku.sku_code);
  out->set_spec(sku.spec);
  SetMoney(out->mutable_price(), sku.price.currency, sku.price.amount_minor);
  out->set_available(sku.available);
  out->mutable_attributes()->insert(sku.attributes.begin(), sku.attributes.end());
  out->set_product_title(sku.product_title);
  out->set_retired(sku.retired);
  out->set_product_status(ProductStatusToProto(sku.product_status));
  if (!sku.price_rule.empty()) {
    SetMoney(out->mutable_list_price(), sku.list_price.currency, sku.list_price.amount_minor);
    out->set_price_rule(sku.price_rule);
  }
  out->set_brand_id(sku.brand_id);
  for (const std::string& category_id : sku.category_path) out->add_category_path_ids(category_id);
  out->set_weight_grams(sku.weight_grams);
  out->set_fragile(sku.fragile);
}

void ToProto(const Product& product, v1::Product* out) {
  out->set_product_id(product.product_id);
  out->set_title(product.title);
  out->set_description(product.description);
  out->set_category_id(product.category_id);
  for (const Sku& sku : product.skus) ToProto(sku, out->add_skus());
  *out->mutable_create_time() = ToTimestamp(product.created_at);
  CatalogueToProto(product, out);
}

void AddSkuAdminFields(const Product& product, google::protobuf::RepeatedPtrField<v1::SkuAdminFields>* out) {
  for (const Sku& sku : product.skus) {
    v1::SkuAdminFields* fields = out->Add();
    fields->set_sku_id(sku.sku_id);
    if (sku.cost_price) SetMoney(fields->mutable_cost_price(), sku.cost_price->currency, sku.cost_price->amount_minor);
    if (sku.abc_class != 0) fields->set_abc_class(std::string(1, sku.abc_class));
  }
}

absl::StatusOr<std::optional<Money>> CostPriceFromProto(const v1::NewSku& sku, const std::string& field) {
  if (!sku.has_cost_price()) return std::optional<Money>();
  RETURN_IF_ERROR(ValidMoney(sku.cost_price(), field + ".costPrice"));
  return std::optional<Money>(Money{sku.cost_price().currency(), sku.cost_price().amount_minor()});
}

void ToProto(const Reservation& reservation, v1::Reservation* out) {
  out->set_order_id(reservation.order_id);
  for (const ReservationLine& line : reservation.lines) {
    v1::ReservationLine* l = out->add_lines();
    l->set_sku_id(line.sku_id);
    l->set_quantity(line.quantity);
  }
  out->set_status(StatusToProto(reservation.status));
  *out->mutable_expire_time() = ToTimestamp(reservation.expires_at);
  *out->mutable_create_time() = ToTimestamp(reservation.created_at);
  AddStockFields(reservation, out);
}

grpc::ServerUnaryReactor* ProductApi::CreateCategory(grpc::CallbackServerContext* context,
                                                     const v1::CreateCategoryRequest* request,
                                                     v1::CreateCategoryResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Validate(*request));
    ASSIGN_OR_RETURN(Category category,
                     catalog_.CreateCategory(std::string(absl::StripAsciiWhitespace(request->name())),
                                             request->parent_id(), request->request_id()));
    ToProto(category, response->mutable_category());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ListCategories(grpc::CallbackServerContext* context,
                                                     const v1::ListCategoriesRequest* request,
                                                     v1::ListCategoriesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(ValidPageSize(request->page_size()));
    ASSIGN_OR_RETURN(CategoryPage page, catalog_.ListCategories(request->page_size(), request->page_token()));
    for (const Category& category : page.categories) ToProto(category, response->add_categories());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::CreateProduct(grpc::CallbackServerContext* context,
                                                    const v1::CreateProductRequest* request,
                                                    v1::CreateProductResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Validate(*request));
    NewProduct product;
    product.title = std::string(absl::StripAsciiWhitespace(request->title()));
    product.description = request->description();
    product.category_id = request->category_id();
    product.request_id = request->request_id();
    for (int i = 0; i < request->skus_size(); ++i) {
      const v1::NewSku& in = request->skus(i);
      NewSku sku;
      sku.sku_code = in.sku_code();
      sku.spec = in.spec();
      sku.attributes.insert(in.attributes().begin(), in.attributes().end());
      sku.price = {in.price().currency(), in.price().amount_minor()};
      sku.initial_stock = in.initial_stock();
      sku.warehouse_id = in.warehouse_id();
      ASSIGN_OR_RETURN(sku.cost_price, CostPriceFromProto(in, absl::StrCat("skus[", i, "]")));
      sku.weight_grams = in.weight_grams();
      sku.fragile = in.fragile();
      product.skus.push_back(std::move(sku));
    }
    product.subtitle = request->subtitle();
    product.brand_id = request->brand_id();
    product.images.assign(request->images().begin(), request->images().end());
    product.sales_attributes = SalesAttributesFromProto(request->sales_attributes());
    product.sku_code_prefix = request->sku_code_prefix();
    product.default_price = {request->default_price().currency(), request->default_price().amount_minor()};
    ASSIGN_OR_RETURN(Product created, catalog_.CreateProduct(product));
    ToProto(created, response->mutable_product());
    AddSkuAdminFields(created, response->mutable_sku_admin_fields());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::GetProduct(grpc::CallbackServerContext* context,
                                                 const v1::GetProductRequest* request,
                                                 v1::GetProductResponse* response) {
  // A cached product is answered on the gRPC thread: no blocking work, so no hop to the worker pool.
  if (std::optional<Product> cached = catalog_.CachedProduct(request->product_id())) {
    ToProto(*cached, response->mutable_product());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Required(request->product_id(), "productId", kMaxIdLength));
    ASSIGN_OR_RETURN(Product product, catalog_.GetProduct(request->product_id()));
    ToProto(product, response->mutable_product());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::AdjustStock(grpc::CallbackServerContext* context,
                                                  const v1::AdjustStockRequest* request,
                                                  v1::AdjustStockResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Validate(*request));
    // Warehouses and stock: an adjustment is an inbound (delta > 0) or outbound (delta < 0) movement.
    StockOperation op;
    op.kind = request->delta() > 0 ? StockOperationKind::kInbound : StockOperationKind::kOutbound;
    op.request_id = request->request_id();
    op.sku_id = request->sku_id();
    op.warehouse_id = request->warehouse_id().empty() ? kDefaultWarehouse : request->warehouse_id();
    op.quantity = request->delta() > 0 ? request->delta() : -request->delta();
    op.reason = request->reason();
    absl::StatusOr<std::string> actor = server::CallingUserId();
    if (actor.ok()) op.actor = *actor;
    ASSIGN_OR_RETURN(std::vector<StockLevel> levels, stock_.Apply(op));
    ToProto(levels.front(), response->mutable_stock());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::BatchGetSkus(grpc::CallbackServerContext* context,
                                                   const v1::BatchGetSkusRequest* request,
                                                   v1::BatchGetSkusResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Validate(*request));
    ASSIGN_OR_RETURN(std::vector<Sku> skus,
                     inventory_.BatchGetSkus({request->sku_ids().begin(), request->sku_ids().end()},
                                             FromProto(request->shipping_region())));
    RETURN_IF_ERROR(catalogue_.pricing.Quote(skus, TierFromProto(request->buyer_tier()), QuoteTimeOf(*request)));
    for (const Sku& sku : skus) ToProto(sku, response->add_skus());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ReserveStock(grpc::CallbackServerContext* context,
                                                   const v1::ReserveStockRequest* request,
                                                   v1::ReserveStockResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Validate(*request));
    std::vector<ReservationLine> lines;
    for (const auto& line : request->lines()) lines.push_back({line.sku_id(), line.quantity()});
    ASSIGN_OR_RETURN(Reservation reservation,
                     inventory_.Reserve(request->order_id(), lines, absl::Seconds(request->ttl_seconds()),
                                        FromProto(request->shipping_region())));
    ToProto(reservation, response->mutable_reservation());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ConfirmReservation(grpc::CallbackServerContext* context,
                                                         const v1::ConfirmReservationRequest* request,
                                                         v1::ConfirmReservationResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Required(request->order_id(), "orderId", kMaxIdLength));
    ASSIGN_OR_RETURN(Reservation reservation, inventory_.Confirm(request->order_id()));
    ToProto(reservation, response->mutable_reservation());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ReleaseReservation(grpc::CallbackServerContext* context,
                                                         const v1::ReleaseReservationRequest* request,
                                                         v1::ReleaseReservationResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Required(request->order_id(), "orderId", kMaxIdLength));
    ASSIGN_OR_RETURN(Reservation reservation, inventory_.Release(request->order_id()));
    ToProto(reservation, response->mutable_reservation());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ResizeReservation(grpc::CallbackServerContext* context,
                                                        const v1::ResizeReservationRequest* request,
                                                        v1::ResizeReservationResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Required(request->order_id(), "orderId", kMaxIdLength));
    RETURN_IF_ERROR(Required(request->request_id(), "requestId", kMaxIdLength));
    ASSIGN_OR_RETURN(Reservation reservation,
                     inventory_.Resize(request->order_id(), request->quantity(), request->request_id(),
                                       absl::Seconds(request->ttl_seconds())));
    ToProto(reservation, response->mutable_reservation());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::SettleReservation(grpc::CallbackServerContext* context,
                                                        const v1::SettleReservationRequest* request,
                                                        v1::SettleReservationResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Required(request->order_id(), "orderId", kMaxIdLength));
    ASSIGN_OR_RETURN(Reservation reservation, inventory_.Settle(request->order_id(), request->confirm_quantity()));
    ToProto(reservation, response->mutable_reservation());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::product
