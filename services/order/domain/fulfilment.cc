#include "services/order/domain/fulfilment.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/async/callback.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/order/domain/orders.h"

namespace zhongtai::order {
namespace {

// Adds an order's lines to a parcel's packing list, as the store keeps it: units per order and SKU (a SKU twice in
// the order is one line), sorted by order and SKU.
void AddToPackingList(std::vector<ShipmentLine>& list, const std::string& order_id,
                      const std::vector<OrderLine>& lines) {
  for (const OrderLine& line : lines) {
    auto at = std::find_if(list.begin(), list.end(),
                           [&](const ShipmentLine& l) { return l.order_id == order_id && l.sku_id == line.sku_id; });
    if (at != list.end()) {
      at->quantity += line.quantity;
    } else {
      list.push_back({order_id, line.sku_id, line.quantity});
    }
  }
  std::sort(list.begin(), list.end(), [](const ShipmentLine& a, const ShipmentLine& b) {
    return std::tie(a.order_id, a.sku_id) < std::tie(b.order_id, b.sku_id);
  });
}

constexpr int kSweepBatch = 100;
constexpr char kManualRule[] = "manual";

bool SameAddress(const ShippingAddress& a, const ShippingAddress& b) {
  return a.province_code == b.province_code && a.city_code == b.city_code && a.district_code == b.district_code &&
         a.detail == b.detail && a.recipient_name == b.recipient_name && a.recipient_phone == b.recipient_phone;
}

// The lines of `order` that leave from `warehouse_id`.
std::vector<OrderLine> LinesIn(const Order& order, const std::string& warehouse_id) {
  if (order.children.empty()) return order.lines;
  for (const ChildOrder& child : order.children) {
    if (child.warehouse_id == warehouse_id) return child.lines;
  }
  return {};
}

bool KnownTrackingStatus(const std::string& status) {
  for (const char* known : {"ACCEPTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED", "EXCEPTION"}) {
    if (status == known) return true;
  }
  return false;
}

}  // namespace

const char* ShipmentStatusName(ShipmentStatus status) {
  return status == ShipmentStatus::kDelivered ? "DELIVERED" : "SHIPPED";
}

std::vector<std::string> WarehousesOf(const Order& order) {
  if (!order.warehouse_id.empty()) return {order.warehouse_id};
  std::vector<std::string> warehouses;
  for (const ChildOrder& child : order.children) warehouses.push_back(child.warehouse_id);
  return warehouses;
}

bool AllPartsShipped(const std::vector<std::string>& required, const std::vector<std::string>& shipped) {
  if (shipped.empty()) return false;
  for (const std::string& warehouse : required) {
    if (std::find(shipped.begin(), shipped.end(), warehouse) == shipped.end()) return false;
  }
  return true;
}

std::vector<Order> SelectMergeable(const Order& anchor, const std::string& warehouse_id,
                                   const std::vector<Order>& candidates, absl::Duration window) {
  std::vector<Order> mergeable;
  for (const Order& candidate : candidates) {
    if (candidate.order_id == anchor.order_id || candidate.user_id != anchor.user_id) continue;
    if (candidate.status != OrderStatus::kAwaitingShipment) continue;
    if (!SameAddress(candidate.address, anchor.address)) continue;
    std::vector<std::string> warehouses = WarehousesOf(candidate);
    if (std::find(warehouses.begin(), warehouses.end(), warehouse_id) == warehouses.end()) continue;
    if (absl::AbsDuration(candidate.created_at - anchor.created_at) > window) continue;
    mergeable.push_back(candidate);
  }
  return mergeable;
}

std::string ChildOrderIn(const Order& order, const std::string& warehouse_id) {
  for (const ChildOrder& child : order.children) {
    if (child.warehouse_id == warehouse_id) return child.child_order_id;
  }
  return "";
}

std::vector<OrderLine> ShippableLines(const Order& order, const std::string& warehouse_id,
                                      const UnitsNotShipped& not_shipped) {
  const std::string child = ChildOrderIn(order, warehouse_id);
  std::vector<OrderLine> out;
  for (OrderLine line : LinesIn(order, warehouse_id)) {
    auto refunded = not_shipped.refunded.find({child, line.sku_id});
    if (refunded != not_shipped.refunded.end() && line.quantity > 0) {
      // What is left is worth its share of the line (the carrier rules look at the parcel's value).
      const int64_t left = line.quantity - std::min(line.quantity, refunded->second);
      line.subtotal = line.subtotal / line.quantity * left;
      line.total = line.total * left / line.quantity;
      line.quantity = left;
    }
    if (line.quantity > 0) out.push_back(std::move(line));
  }
  return out;
}

struct Fulfilment::Shipping {
  ShipCommand command;
  std::vector<Order> orders;                            // the order shipped first, then the ones merged into its parcel
  std::map<std::string, std::vector<OrderLine>> lines;  // by order id: what the parcel carries of it
  std::map<std::string, int64_t> refunds_seen;          // by order id: its part's refunds before shipment
  std::string warehouse_id;
  std::optional<Shipment> existing;  // a repeat: the parcel already written
};

Fulfilment::Fulfilment(OrderStore& orders, ShipmentStore& shipments, ProductCatalog& catalog, Clock& clock,
                       ShipmentIds& ids, Executor& blocking, FulfilmentSettings settings)
    : orders_(orders),
      shipments_(shipments),
      catalog_(catalog),
      clock_(clock),
      ids_(ids),
      blocking_(blocking),
      settings_(std::move(settings)) {}

absl::StatusOr<CarrierRuleSet> Fulfilment::CarrierRules() { return shipments_.LoadCarrierRules(); }

absl::Status Fulfilment::ReplaceCarrierRules(const CarrierRuleSet& rules) {
  RETURN_IF_ERROR(ValidateCarrierRules(rules));
  RETURN_IF_ERROR(shipments_.ReplaceCarrierRules(rules));
  std::lock_guard<std::mutex> lock(rules_mu_);
  rules_ = rules;
  rules_loaded_at_ = clock_.Now();
  return absl::OkStatus();
}

absl::StatusOr<CarrierRuleSet> Fulfilment::CachedRules() {
  absl::Time now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(rules_mu_);
    if (rules_.has_value() && now - rules_loaded_at_ < settings_.rules_cache_ttl) return *rules_;
  }
  ASSIGN_OR_RETURN(CarrierRuleSet loaded, shipments_.LoadCarrierRules());
  std::lock_guard<std::mutex> lock(rules_mu_);
  rules_ = loaded;
  rules_loaded_at_ = now;
  return loaded;
}

std::optional<QuotedDelivery> Fulfilment::QuoteDelivery(const ParcelFacts& parcel) {
  if (parcel.region.empty()) return std::nullopt;
  std::optional<CarrierRuleSet> rules;
  {
    // Never reads the database: the checkout's answer may be written on a thread that must not block. The sweeper
    // keeps the cache fresh.
    std::lock_guard<std::mutex> lock(rules_mu_);
    rules = rules_;
  }
  if (!rules) return std::nullopt;
  std::optional<CarrierChoice> choice = ChooseCarrier(*rules, parcel);
  if (!choice) return std::nullopt;
  std::optional<DeliveryPromise> promise = PromiseDelivery(*rules, choice->carrier, parcel.warehouse_id, parcel.region,
                                                           clock_.Now(), settings_.handling_days);
  if (!promise) return std::nullopt;
  return QuotedDelivery{choice->carrier, choice->rule_id, *promise};
}

std::optional<int64_t> Fulfilment::ShippingFeeFor(const ParcelFacts& parcel) {
  std::lock_guard<std::mutex> lock(rules_mu_);  // the cached rules only, as QuoteDelivery
  if (!rules_) return std::nullopt;
  std::optional<CarrierChoice> choice = ChooseCarrier(*rules_, parcel);
  return choice ? choice->fee : std::nullopt;
}

absl::StatusOr<std::shared_ptr<Fulfilment::Shipping>> Fulfilment::PrepareShipping(const ShipCommand& command) {
  if (command.order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  if (command.tracking_number.empty() || command.tracking_number.size() > 64) {
    return InvalidArgument("trackingNumber", "TRACKING_NUMBER_INVALID", "a tracking number of 1 to 64 characters");
  }
  if (command.carrier.size() > 32) return InvalidArgument("carrier", "CARRIER_INVALID", "at most 32 characters");
  absl::StatusOr<Order> order = orders_.Get(command.order_id);
  if ((!order.ok() && order.status().code() == absl::StatusCode::kNotFound) ||
      (order.ok() && !IsVisible(order->status))) {
    return NotFound("ORDER_NOT_FOUND", "no such order");
  }
  if (!order.ok()) return order.status();
  auto shipping = std::make_shared<Shipping>();
  shipping->command = command;
  std::vector<std::string> warehouses = WarehousesOf(*order);
  std::string warehouse = command.warehouse_id;
  if (warehouse.empty()) {
    if (warehouses.size() != 1) {
      return InvalidArgument("warehouseId", "WAREHOUSE_REQUIRED",
                             "the order ships from several warehouses (or names none): say which one shipped");
    }
    warehouse = warehouses[0];
  } else if (!warehouses.empty() && std::find(warehouses.begin(), warehouses.end(), warehouse) == warehouses.end()) {
    return InvalidArgument("warehouseId", "WAREHOUSE_NOT_IN_ORDER", "the order has no goods in that warehouse");
  }
  shipping->warehouse_id = warehouse;
  ASSIGN_OR_RETURN(std::optional<Shipment> existing, shipments_.FindShipment(order->order_id, warehouse));
  if (existing.has_value()) {
    if (existing->tracking_number != command.tracking_number) {
      return AlreadyExists("ORDER_ALREADY_SHIPPED", "this part of the order already left in another parcel");
    }
    shipping->existing = std::move(existing);
    return shipping;
  }
  if (order->status == OrderStatus::kPaid) {
    return FailedPrecondition("ORDER_NOT_READY_TO_SHIP", "the payment's effects are still being applied; retry");
  }
  if (order->status != OrderStatus::kAwaitingShipment) {
    return FailedPrecondition("ORDER_NOT_SHIPPABLE", "only a paid order awaiting shipment can ship");
  }
  ASSIGN_OR_RETURN(shipping->lines[order->order_id], LinesToShip(*order, warehouse, &shipping->refunds_seen));
  ASSIGN_OR_RETURN(std::vector<Order> unshipped, shipments_.ListUnshipped(order->user_id, warehouse));
  shipping->orders.push_back(*order);
  for (Order& merged : SelectMergeable(*order, warehouse, unshipped, settings_.merge_window)) {
    // An order whose part here was refunded, or waits for a refund's decision, stays out of the parcel.
    absl::StatusOr<std::vector<OrderLine>> lines = LinesToShip(merged, warehouse, &shipping->refunds_seen);
    if (!lines.ok()) continue;
    shipping->lines[merged.order_id] = *std::move(lines);
    shipping->orders.push_back(std::move(merged));
  }
  return shipping;
}

absl::StatusOr<std::vector<OrderLine>> Fulfilment::LinesToShip(const Order& order, const std::string& warehouse_id,
                                                               std::map<std::string, int64_t>* refunds_seen) {
  ASSIGN_OR_RETURN(std::vector<Return> returns, shipments_.ListOrderReturns(order.order_id));
  const std::string child = ChildOrderIn(order, warehouse_id);
  int64_t& seen = (*refunds_seen)[order.order_id];
  for (const Return& r : returns) {
    if (r.type == ReturnType::kRefundOnly && r.before_shipment && !Releases(r) && r.child_order_id == child) ++seen;
  }
  UnitsNotShipped not_shipped = RefundedBeforeShipment(returns);
  if (not_shipped.pending_children.count(child) > 0) {
    return FailedPrecondition("REFUND_PENDING",
                              "a refund of this part awaits its decision: ship once it is approved or rejected");
  }
  std::vector<OrderLine> lines = ShippableLines(order, warehouse_id, not_shipped);
  if (lines.empty()) {
    return FailedPrecondition("ORDER_PART_REFUNDED", "every unit of this part was refunded before shipment");
  }
  return lines;
}

void Fulfilment::ShipReplacement(const ShipCommand& command, Callback<Shipment> done) {
  if (command.tracking_number.empty() || command.tracking_number.size() > 64) {
    return done(
        InvalidArgument("trackingNumber", "TRACKING_NUMBER_INVALID", "a tracking number of 1 to 64 characters"));
  }
  if (command.carrier.size() > 32) return done(InvalidArgument("carrier", "CARRIER_INVALID", "at most 32 characters"));
  absl::StatusOr<std::optional<Return>> found = shipments_.GetReplacement(command.return_id);
  if (!found.ok()) return done(found.status());
  if (!found->has_value() || (*found)->order_id != command.order_id || (*found)->type != ReturnType::kExchange) {
    return done(NotFound("RETURN_NOT_FOUND", "the order has no exchange with this return id"));
  }
  const Return exchange = **found;
  absl::StatusOr<std::vector<Shipment>> shipped = shipments_.ListReplacementShipments(exchange.return_id);
  if (!shipped.ok()) return done(shipped.status());
  for (const Shipment& parcel : *shipped) {
    if (parcel.tracking_number == command.tracking_number) return done(parcel);  // a repeated call
  }
  const std::vector<std::string> held_in = ReplacementWarehouses(exchange);
  // Each warehouse holding part of the replacement ships it; the first parcel moves the exchange on.
  const bool shipping =
      exchange.status == ReturnStatus::kReceived || exchange.status == ReturnStatus::kReplacementShipped;
  if (!shipping && !shipped->empty()) {
    return done(AlreadyExists("REPLACEMENT_ALREADY_SHIPPED", "the replacement already left in another parcel"));
  }
  if (!shipping || held_in.empty()) {
    return done(FailedPrecondition("REPLACEMENT_NOT_READY",
                                   "the replacement ships once the goods came back and its stock is held"));
  }
  std::string warehouse_id = command.warehouse_id;
  if (warehouse_id.empty()) {
    if (held_in.size() > 1) {
      return done(InvalidArgument("warehouseId", "WAREHOUSE_REQUIRED",
                                  absl::StrCat("the replacement is held in several warehouses (",
                                               absl::StrJoin(held_in, ", "), "): each ships its own parcel")));
    }
    warehouse_id = held_in.front();
  }
  if (std::find(held_in.begin(), held_in.end(), warehouse_id) == held_in.end()) {
    return done(
        InvalidArgument("warehouseId", "WAREHOUSE_NOT_IN_ORDER", "the replacement is held in another warehouse"));
  }
  for (const Shipment& parcel : *shipped) {
    if (parcel.warehouse_id == warehouse_id) {
      return done(AlreadyExists("REPLACEMENT_ALREADY_SHIPPED", "the replacement already left in another parcel"));
    }
  }
  absl::StatusOr<Order> order = orders_.Get(exchange.order_id);
  if (!order.ok()) return done(order.status());
  std::vector<OrderLine> lines;
  std::vector<std::string> sku_ids;
  for (const ReplacementHold& hold : HeldIn(exchange, warehouse_id)) {
    OrderLine out;
    out.sku_id = hold.sku_id;
    out.quantity = hold.quantity;
    lines.push_back(out);
    sku_ids.push_back(out.sku_id);
  }
  catalog_.GetSkus(
      sku_ids, "normal",
      async::On<absl::StatusOr<std::vector<SkuInfo>>>(
          blocking_, [this, command, exchange, warehouse_id, order = *std::move(order), lines,
                      done](absl::StatusOr<std::vector<SkuInfo>> skus) mutable {
            if (!skus.ok()) return done(skus.status());
            ParcelFacts parcel;
            parcel.region = order.address.province_code;
            parcel.warehouse_id = warehouse_id;
            for (OrderLine& line : lines) {
              for (const SkuInfo& sku : *skus) {
                if (sku.sku_id != line.sku_id) continue;
                line.unit_price = sku.unit_price;
                line.subtotal = line.total = sku.unit_price * line.quantity;
                parcel.value += line.total;
                parcel.weight_grams += sku.weight_grams * line.quantity;
                parcel.fragile = parcel.fragile || sku.fragile;
              }
            }
            absl::StatusOr<CarrierRuleSet> rules = CachedRules();
            if (!rules.ok()) return done(rules.status());
            Shipment shipment;
            shipment.shipment_id = ids_.NewShipmentId();
            shipment.user_id = order.user_id;
            shipment.warehouse_id = warehouse_id;
            shipment.tracking_number = command.tracking_number;
            if (!command.carrier.empty()) {
              shipment.carrier = command.carrier;
              shipment.rule_id = kManualRule;
            } else {
              std::optional<CarrierChoice> choice = ChooseCarrier(*rules, parcel);
              if (!choice) return done(FailedPrecondition("NO_CARRIER_RULE", "no carrier rule matches this parcel"));
              shipment.carrier = choice->carrier;
              shipment.rule_id = choice->rule_id;
            }
            absl::Time now = clock_.Now();
            shipment.shipped_at = command.shipped_at == absl::InfinitePast() ? now : std::min(command.shipped_at, now);
            shipment.promise = PromiseDelivery(*rules, shipment.carrier, shipment.warehouse_id, parcel.region,
                                               shipment.shipped_at, /*handling_days=*/0);
            AddToPackingList(shipment.lines, exchange.order_id, lines);
            absl::Status created = shipments_.CreateReplacementShipment(shipment, exchange, lines);
            if (created.code() == absl::StatusCode::kAlreadyExists) {
              absl::StatusOr<std::vector<Shipment>> raced = shipments_.ListReplacementShipments(exchange.return_id);
              if (raced.ok()) {
                for (const Shipment& parcel : *raced) {
                  if (parcel.tracking_number == shipment.tracking_number) return done(parcel);
                }
              }
              return done(created);
            }
            if (!created.ok()) return done(created);
            log::Info("exchange replacement shipped", {{"shipment_id", shipment.shipment_id},
                                                       {"return_id", exchange.return_id},
                                                       {"carrier", shipment.carrier},
                                                       {"rule_id", shipment.rule_id}});
            done(shipment);
          }));
}

void Fulfilment::Ship(const ShipCommand& command, Callback<Shipment> done) {
  if (!command.return_id.empty()) return ShipReplacement(command, std::move(done));
  absl::StatusOr<std::shared_ptr<Shipping>> prepared = PrepareShipping(command);
  if (!prepared.ok()) return done(prepared.status());
  std::shared_ptr<Shipping> shipping = *std::move(prepared);
  if (shipping->existing.has_value()) return done(*shipping->existing);
  std::set<std::string> sku_ids;
  for (const Order& order : shipping->orders) {
    for (const OrderLine& line : shipping->lines[order.order_id]) sku_ids.insert(line.sku_id);
  }
  catalog_.GetSkus(std::vector<std::string>(sku_ids.begin(), sku_ids.end()), "normal",
                   async::On<absl::StatusOr<std::vector<SkuInfo>>>(
                       blocking_, [this, shipping, done](absl::StatusOr<std::vector<SkuInfo>> skus) {
                         if (!skus.ok()) return done(skus.status());
                         CompleteShipping(shipping, *skus, done);
                       }));
}

absl::Duration Fulfilment::AfterSalesWindow(const std::vector<OrderLine>& lines,
                                            const std::map<std::string, SkuInfo>& skus) const {
  absl::Duration longest = absl::ZeroDuration();
  bool any = false;
  for (const OrderLine& line : lines) {
    absl::Duration window = settings_.after_sales_window;
    auto sku = skus.find(line.sku_id);
    if (sku != skus.end()) {
      auto by_category = settings_.after_sales_window_by_category.find(sku->second.category_id);
      if (by_category != settings_.after_sales_window_by_category.end()) window = by_category->second;
    }
    longest = any ? std::max(longest, window) : window;
    any = true;
  }
  return any ? longest : settings_.after_sales_window;
}

void Fulfilment::CompleteShipping(std::shared_ptr<Shipping> shipping, const std::vector<SkuInfo>& skus,
                                  Callback<Shipment> done) {
  std::map<std::string, SkuInfo> sku_by_id;
  for (const SkuInfo& sku : skus) sku_by_id[sku.sku_id] = sku;
  const Order& first = shipping->orders.front();
  ParcelFacts parcel;
  parcel.region = first.address.province_code;
  parcel.warehouse_id = shipping->warehouse_id;
  std::vector<ShipmentPart> parts;
  for (const Order& order : shipping->orders) {
    const std::vector<OrderLine>& lines = shipping->lines[order.order_id];
    for (const OrderLine& line : lines) {
      parcel.value += line.total;
      auto sku = sku_by_id.find(line.sku_id);
      if (sku == sku_by_id.end()) continue;
      parcel.weight_grams += sku->second.weight_grams * line.quantity;
      parcel.fragile = parcel.fragile || sku->second.fragile;
    }
    parts.push_back({order.order_id, AfterSalesWindow(lines, sku_by_id), lines,
                     ChildOrderIn(order, shipping->warehouse_id), shipping->refunds_seen[order.order_id]});
  }
  absl::StatusOr<CarrierRuleSet> rules = CachedRules();
  if (!rules.ok()) return done(rules.status());
  Shipment shipment;
  shipment.shipment_id = ids_.NewShipmentId();
  shipment.user_id = first.user_id;
  shipment.warehouse_id = shipping->warehouse_id;
  for (const Order& order : shipping->orders) shipment.order_ids.push_back(order.order_id);
  shipment.tracking_number = shipping->command.tracking_number;
  if (!shipping->command.carrier.empty()) {
    shipment.carrier = shipping->command.carrier;
    shipment.rule_id = kManualRule;
  } else {
    std::optional<CarrierChoice> choice = ChooseCarrier(*rules, parcel);
    if (!choice) return done(FailedPrecondition("NO_CARRIER_RULE", "no carrier rule matches this parcel"));
    shipment.carrier = choice->carrier;
    shipment.rule_id = choice->rule_id;
  }
  absl::Time now = clock_.Now();
  shipment.shipped_at =
      shipping->command.shipped_at == absl::InfinitePast() ? now : std::min(shipping->command.shipped_at, now);
  shipment.promise = PromiseDelivery(*rules, shipment.carrier, shipment.warehouse_id, parcel.region,
                                     shipment.shipped_at, /*handling_days=*/0);
  for (const ShipmentPart& part : parts) AddToPackingList(shipment.lines, part.order_id, part.lines);
  absl::Status created = shipments_.CreateShipment(shipment, parts);
  if (created.code() == absl::StatusCode::kAlreadyExists) {
    // A concurrent repeat wrote the parcel first: answer it when it is the same one.
    absl::StatusOr<std::optional<Shipment>> raced = shipments_.FindShipment(first.order_id, shipment.warehouse_id);
    if (raced.ok() && raced->has_value() && (*raced)->tracking_number == shipment.tracking_number) {
      return done(**raced);
    }
    return done(created);
  }
  if (!created.ok()) return done(created);
  log::Info("parcel shipped", {{"shipment_id", shipment.shipment_id},
                               {"orders", std::to_string(shipment.order_ids.size())},
                               {"carrier", shipment.carrier},
                               {"rule_id", shipment.rule_id}});
  done(shipment);
}

absl::StatusOr<TrackingOutcome> Fulfilment::Track(const TrackingCommand& command) {
  if (command.tracking_number.empty()) {
    return InvalidArgument("trackingNumber", "TRACKING_NUMBER_INVALID", "tracking number is required");
  }
  if (command.carrier.empty()) return InvalidArgument("carrier", "CARRIER_INVALID", "carrier is required");
  const TrackingEvent& event = command.event;
  if (event.event_id.empty() || event.event_id.size() > 128) {
    return InvalidArgument("eventId", "TRACKING_EVENT_INVALID", "an event id of 1 to 128 characters");
  }
  if (!KnownTrackingStatus(event.status)) {
    return InvalidArgument("status", "TRACKING_EVENT_INVALID",
                           "ACCEPTED, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED or EXCEPTION");
  }
  if (event.description.size() > 500) {
    return InvalidArgument("description", "TRACKING_EVENT_INVALID", "at most 500 characters");
  }
  ASSIGN_OR_RETURN(std::optional<Shipment> shipment,
                   shipments_.FindByTracking(command.carrier, command.tracking_number));
  if (!shipment.has_value()) return NotFound("SHIPMENT_NOT_FOUND", "no parcel with this carrier and tracking number");
  TrackingEvent recorded = event;
  if (recorded.at == absl::InfinitePast()) recorded.at = clock_.Now();
  return shipments_.RecordTracking(shipment->shipment_id, recorded, event.status == "DELIVERED");
}

absl::StatusOr<std::vector<Shipment>> Fulfilment::ListShipments(const std::string& user_id,
                                                                const std::string& order_id) {
  ASSIGN_OR_RETURN(Order order, LoadOwnOrder(orders_, user_id, order_id));
  return shipments_.ListForOrder(order.order_id);
}

absl::StatusOr<Order> Fulfilment::ConfirmReceipt(const std::string& user_id, const std::string& order_id) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSIGN_OR_RETURN(Order order, LoadOwnOrder(orders_, user_id, order_id));
    if (order.status == OrderStatus::kCompleted) return order;
    if (order.status != OrderStatus::kShipped && order.status != OrderStatus::kDelivered) {
      return FailedPrecondition("ORDER_NOT_SHIPPED", "only a shipped or delivered order can be confirmed");
    }
    ASSIGN_OR_RETURN(bool completed, shipments_.Complete(order_id, order.status, "receipt confirmed", clock_.Now()));
    if (completed) return orders_.Get(order_id);
  }
  return Aborted("ORDER_CHANGED", "the order changed while confirming; retry");
}

int Fulfilment::SweepOnce() {
  absl::Status refreshed = CachedRules().status();
  if (!refreshed.ok()) log::Warn("could not load the carrier rules", {{"error", refreshed.ToString()}});
  absl::Time now = clock_.Now();
  absl::StatusOr<int> completed = shipments_.CompleteOverdue(now - settings_.auto_confirm_after, now, kSweepBatch);
  if (!completed.ok()) {
    log::Warn("auto-confirming delivered orders failed; the next pass retries",
              {{"error", completed.status().ToString()}});
    return 0;
  }
  return *completed;
}

}  // namespace zhongtai::order
