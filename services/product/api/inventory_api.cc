// ProductService, warehouses and stock: warehouse admin, stock movements and transfers, the ledger, safety
// stock and its alerts; and the stock fields of a reservation (allocations, shipping region).
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/product/api/product_api.h"

namespace zhongtai::product {
namespace {

using proto::FromTimestamp;
using proto::ToTimestamp;

constexpr size_t kMaxTokenLength = 200;

v1::WarehouseType TypeToProto(WarehouseType type) {
  switch (type) {
    case WarehouseType::kCentral: return v1::WAREHOUSE_TYPE_CENTRAL;
    case WarehouseType::kRegional: return v1::WAREHOUSE_TYPE_REGIONAL;
    case WarehouseType::kFront: return v1::WAREHOUSE_TYPE_FRONT;
  }
  return v1::WAREHOUSE_TYPE_UNSPECIFIED;
}

std::optional<WarehouseType> TypeFromProto(v1::WarehouseType type) {
  switch (type) {
    case v1::WAREHOUSE_TYPE_CENTRAL: return WarehouseType::kCentral;
    case v1::WAREHOUSE_TYPE_REGIONAL: return WarehouseType::kRegional;
    case v1::WAREHOUSE_TYPE_FRONT: return WarehouseType::kFront;
    default: return std::nullopt;
  }
}

absl::Status ValidToken(const std::string& token) {
  if (token.size() > kMaxTokenLength) {
    return InvalidArgument("pageToken", "INVALID_PAGE_TOKEN", "page token is not one this list returned");
  }
  return absl::OkStatus();
}

// The admin behind the call, for the ledger; empty when the call carries none (a service).
std::string Actor() {
  absl::StatusOr<std::string> user = server::CallingUserId();
  return user.ok() ? *user : "";
}

void ToProto(const LedgerEntry& e, v1::StockLedgerEntry* out) {
  out->set_entry_id(e.entry_id);
  out->set_sku_id(e.sku_id);
  out->set_warehouse_id(e.warehouse_id);
  out->set_kind(e.kind);
  out->set_on_hand_delta(e.on_hand_delta);
  out->set_reserved_delta(e.reserved_delta);
  out->set_on_hand_after(e.on_hand_after);
  out->set_reserved_after(e.reserved_after);
  out->set_reference(e.reference);
  out->set_request_id(e.request_id);
  out->set_reason(e.reason);
  out->set_actor(e.actor);
  *out->mutable_create_time() = ToTimestamp(e.created_at);
}

void ToProto(const StockAlert& a, v1::StockAlert* out) {
  out->set_sku_id(a.position.level.sku_id);
  out->set_warehouse_id(a.position.level.warehouse_id);
  out->set_on_hand(a.position.level.on_hand);
  out->set_reserved(a.position.level.reserved);
  out->set_available(a.position.level.available());
  out->set_safety_stock(a.safety_stock);
  out->set_average_daily_sales(a.average_daily_sales);
  out->set_sales_source(SalesSourceName(a.sales_source));
  if (a.days_of_cover) out->set_days_of_cover(*a.days_of_cover);
  out->set_below_safety_stock(a.below_safety_stock);
  out->set_under_cover_days(a.under_cover_days);
  if (a.position.abc_class != 0) out->set_abc_class(std::string(1, a.position.abc_class));
}

}  // namespace

void ToProto(const Warehouse& w, v1::Warehouse* out) {
  out->set_warehouse_id(w.warehouse_id);
  out->set_name(w.name);
  out->set_type(TypeToProto(w.type));
  for (const auto& region : w.regions) out->add_regions(region);
  out->set_priority(w.priority);
  out->set_active(w.active);
  *out->mutable_create_time() = ToTimestamp(w.created_at);
  *out->mutable_update_time() = ToTimestamp(w.updated_at);
}

void ToProto(const StockLevel& level, v1::StockLevel* out) {
  out->set_sku_id(level.sku_id);
  out->set_warehouse_id(level.warehouse_id);
  out->set_on_hand(level.on_hand);
  out->set_reserved(level.reserved);
  out->set_available(level.available());
}

ShippingRegion FromProto(const v1::ShippingRegion& region) { return {region.province_code(), region.city_code()}; }

void ToProto(const ShippingRegion& region, v1::ShippingRegion* out) {
  out->set_province_code(region.province_code);
  out->set_city_code(region.city_code);
}

void AddStockFields(const Reservation& reservation, v1::Reservation* out) {
  for (const Allocation& a : reservation.allocations) {
    v1::StockAllocation* allocation = out->add_allocations();
    allocation->set_sku_id(a.sku_id);
    allocation->set_warehouse_id(a.warehouse_id);
    allocation->set_quantity(a.quantity);
  }
  if (!reservation.region.empty()) ToProto(reservation.region, out->mutable_shipping_region());
}

grpc::ServerUnaryReactor* ProductApi::CreateWarehouse(grpc::CallbackServerContext* context,
                                                      const v1::CreateWarehouseRequest* request,
                                                      v1::CreateWarehouseResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    const v1::Warehouse& in = request->warehouse();
    Warehouse warehouse;
    warehouse.warehouse_id = in.warehouse_id();
    warehouse.name = in.name();
    std::optional<WarehouseType> type = TypeFromProto(in.type());
    if (!type) {
      return InvalidArgument("warehouse.type", "WAREHOUSE_TYPE_REQUIRED", "type is central, regional or front");
    }
    warehouse.type = *type;
    warehouse.regions.assign(in.regions().begin(), in.regions().end());
    warehouse.priority = in.priority() == 0 ? 100 : in.priority();
    warehouse.active = !request->inactive();
    ASSIGN_OR_RETURN(Warehouse created, stock_.CreateWarehouse(warehouse));
    ToProto(created, response->mutable_warehouse());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ListWarehouses(grpc::CallbackServerContext* context,
                                                     const v1::ListWarehousesRequest* request,
                                                     v1::ListWarehousesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->page_size() < 0) {
      return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
    }
    RETURN_IF_ERROR(ValidToken(request->page_token()));
    ASSIGN_OR_RETURN(WarehousePage page, stock_.ListWarehouses(request->page_size(), request->page_token()));
    for (const Warehouse& w : page.warehouses) ToProto(w, response->add_warehouses());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::UpdateWarehouse(grpc::CallbackServerContext* context,
                                                      const v1::UpdateWarehouseRequest* request,
                                                      v1::UpdateWarehouseResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    WarehousePatch patch;
    if (request->has_name()) patch.name = request->name();
    if (request->type() != v1::WAREHOUSE_TYPE_UNSPECIFIED) {
      patch.type = TypeFromProto(request->type());
      if (!patch.type) return InvalidArgument("type", "WAREHOUSE_TYPE_REQUIRED", "type is central, regional or front");
    }
    if (request->replace_regions()) {
      patch.regions = std::vector<std::string>(request->regions().begin(), request->regions().end());
    } else if (!request->regions().empty()) {
      return InvalidArgument("replaceRegions", "REPLACE_REGIONS_REQUIRED",
                             "set replaceRegions to true to replace the regions with the ones given");
    }
    if (request->has_priority()) patch.priority = request->priority();
    if (request->has_active()) patch.active = request->active();
    ASSIGN_OR_RETURN(Warehouse updated, stock_.UpdateWarehouse(request->warehouse_id(), patch));
    ToProto(updated, response->mutable_warehouse());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::CreateStockMovement(grpc::CallbackServerContext* context,
                                                          const v1::CreateStockMovementRequest* request,
                                                          v1::CreateStockMovementResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    StockOperation op;
    switch (request->type()) {
      case v1::STOCK_MOVEMENT_TYPE_INBOUND: op.kind = StockOperationKind::kInbound; break;
      case v1::STOCK_MOVEMENT_TYPE_OUTBOUND: op.kind = StockOperationKind::kOutbound; break;
      case v1::STOCK_MOVEMENT_TYPE_STOCKTAKE: op.kind = StockOperationKind::kStocktake; break;
      default: return InvalidArgument("type", "MOVEMENT_TYPE_REQUIRED", "type is INBOUND, OUTBOUND or STOCKTAKE");
    }
    op.request_id = request->request_id();
    op.sku_id = request->sku_id();
    op.warehouse_id = request->warehouse_id();
    op.quantity = request->quantity();
    op.reason = request->reason();
    op.reference = request->reference();
    op.actor = Actor();
    ASSIGN_OR_RETURN(std::vector<StockLevel> levels, stock_.Apply(op));
    if (!levels.empty()) ToProto(levels.front(), response->mutable_stock());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::TransferStock(grpc::CallbackServerContext* context,
                                                    const v1::TransferStockRequest* request,
                                                    v1::TransferStockResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    StockOperation op;
    op.kind = StockOperationKind::kTransfer;
    op.request_id = request->request_id();
    op.sku_id = request->sku_id();
    op.warehouse_id = request->from_warehouse_id();
    op.to_warehouse_id = request->to_warehouse_id();
    op.quantity = request->quantity();
    op.reason = request->reason();
    op.reference = request->reference();
    op.actor = Actor();
    ASSIGN_OR_RETURN(std::vector<StockLevel> levels, stock_.Apply(op));
    for (const StockLevel& level : levels) {
      ToProto(level, level.warehouse_id == op.warehouse_id ? response->mutable_from() : response->mutable_to());
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ListStockLedger(grpc::CallbackServerContext* context,
                                                      const v1::ListStockLedgerRequest* request,
                                                      v1::ListStockLedgerResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->page_size() < 0) {
      return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
    }
    RETURN_IF_ERROR(ValidToken(request->page_token()));
    if (request->sku_id().size() > 64) return InvalidArgument("skuId", "FIELD_TOO_LONG", "skuId is longer than 64");
    LedgerQuery query;
    query.sku_id = request->sku_id();
    query.warehouse_id = request->warehouse_id();
    if (request->has_start_time()) query.from = FromTimestamp(request->start_time());
    if (request->has_end_time()) query.to = FromTimestamp(request->end_time());
    ASSIGN_OR_RETURN(LedgerPage page, stock_.Ledger(query, request->page_size(), request->page_token()));
    for (const LedgerEntry& e : page.entries) ToProto(e, response->add_entries());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::SetSafetyStock(grpc::CallbackServerContext* context,
                                                     const v1::SetSafetyStockRequest* request,
                                                     v1::SetSafetyStockResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    SafetyStockSetting setting;
    setting.sku_id = request->sku_id();
    setting.warehouse_id = request->warehouse_id();
    switch (request->mode()) {
      case v1::SAFETY_STOCK_MODE_FIXED: setting.mode = SafetyStockMode::kFixed; break;
      case v1::SAFETY_STOCK_MODE_DAYS_OF_COVER: setting.mode = SafetyStockMode::kDaysOfCover; break;
      default: return InvalidArgument("mode", "SAFETY_STOCK_MODE_REQUIRED", "mode is FIXED or DAYS_OF_COVER");
    }
    setting.quantity = setting.mode == SafetyStockMode::kFixed ? request->quantity() : 0;
    setting.days_of_cover = setting.mode == SafetyStockMode::kDaysOfCover ? request->days_of_cover() : 0;
    RETURN_IF_ERROR(stock_.SetSafetyStock(setting));
    response->set_sku_id(setting.sku_id);
    response->set_warehouse_id(setting.warehouse_id);
    response->set_mode(request->mode());
    response->set_quantity(setting.quantity);
    response->set_days_of_cover(setting.days_of_cover);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ListStockAlerts(grpc::CallbackServerContext* context,
                                                      const v1::ListStockAlertsRequest* request,
                                                      v1::ListStockAlertsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->page_size() < 0) {
      return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
    }
    RETURN_IF_ERROR(ValidToken(request->page_token()));
    ASSIGN_OR_RETURN(AlertPage page, stock_.Alerts(request->warehouse_id(), request->cover_days(), request->page_size(),
                                                   request->page_token()));
    for (const StockAlert& alert : page.alerts) ToProto(alert, response->add_alerts());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::product
