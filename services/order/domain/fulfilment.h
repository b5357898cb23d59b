// Fulfilment: what happens to a paid order once its effects are applied (AWAITING_SHIPMENT).
//
//   AWAITING_SHIPMENT --every warehouse part shipped--> SHIPPED --every parcel delivered--> DELIVERED
//   --buyer confirms, or auto_confirm_after passes--> COMPLETED (after_sales_deadline recorded)
//
// A parcel (Shipment) leaves one warehouse and may carry several orders of one buyer (merge for shipment, 合单:
// same address, same warehouse, placed within merge_window). Its carrier is chosen by the carrier rules
// (carrier_rules.h) unless the shipper names one, and the rule that chose is recorded with it. Shipping comes from an
// admin (POST /v1/admin/orders/{id}:ship) or the warehouse's signed callback; tracking events from the carrier's
// signed callback. Both are idempotent: a duplicate or out-of-order callback changes nothing.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/order/domain/after_sales.h"
#include "services/order/domain/carrier_rules.h"
#include "services/order/domain/order.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

enum class ShipmentStatus { kShipped, kDelivered };
const char* ShipmentStatusName(ShipmentStatus status);

// One event the carrier reported, e.g. IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED.
struct TrackingEvent {
  std::string event_id;  // the carrier's id: a repeat is a duplicate
  std::string status;
  std::string description;
  absl::Time at;
};

// Units of one SKU of one order in a parcel.
struct ShipmentLine {
  std::string order_id;
  std::string sku_id;
  int64_t quantity = 0;
};

struct Shipment {
  std::string shipment_id;
  std::string user_id;
  std::string warehouse_id;
  std::vector<std::string> order_ids;  // more than one when orders were merged into this parcel
  std::string carrier;
  std::string tracking_number;
  std::string rule_id;  // the carrier rule that chose the carrier; "manual" when the shipper named it
  ShipmentStatus status = ShipmentStatus::kShipped;
  absl::Time shipped_at;
  absl::Time delivered_at = absl::InfinitePast();
  std::optional<DeliveryPromise> promise;
  std::vector<TrackingEvent> events;  // oldest first
  std::vector<ShipmentLine> lines;    // what the parcel carries, by order and SKU
};

// What a parcel's orders need per order when the parcel is written.
struct ShipmentPart {
  std::string order_id;
  // How long after completion the buyer may return without reason (the longest of its lines' categories).
  absl::Duration after_sales_window;
  // What the parcel carries of the order: its lines in the warehouse less the units refunded before shipment.
  std::vector<OrderLine> lines;
  // The part's child order ("" when not split) and how many refunds before shipment it had when the lines were
  // worked out: the store refuses the parcel (ABORTED ORDER_CHANGED) when another came meanwhile.
  std::string child_order_id;
  int64_t refunds_seen = 0;
};

// How a tracking event was taken.
enum class TrackingOutcome {
  kRecorded,   // new event; the parcel's state may have moved
  kDuplicate,  // seen before: nothing changed
};

class ShipmentStore {
 public:
  virtual ~ShipmentStore() = default;
  virtual absl::StatusOr<CarrierRuleSet> LoadCarrierRules() = 0;
  virtual absl::Status ReplaceCarrierRules(const CarrierRuleSet& rules) = 0;

  // Orders of the buyer in AWAITING_SHIPMENT with a part in `warehouse_id` that no parcel carries yet.
  virtual absl::StatusOr<std::vector<Order>> ListUnshipped(const std::string& user_id,
                                                           const std::string& warehouse_id) = 0;
  // Writes the parcel with one row per order it carries; each order whose every warehouse part is now shipped goes
  // AWAITING_SHIPMENT -> SHIPPED with history and OrderShipped in the outbox. ALREADY_EXISTS (ORDER_ALREADY_SHIPPED)
  // when one of the orders' part in that warehouse is already in a parcel.
  virtual absl::Status CreateShipment(const Shipment& shipment, const std::vector<ShipmentPart>& parts) = 0;
  // The parcel carrying `order_id`'s part in `warehouse_id`, if any.
  virtual absl::StatusOr<std::optional<Shipment>> FindShipment(const std::string& order_id,
                                                               const std::string& warehouse_id) = 0;
  virtual absl::StatusOr<std::optional<Shipment>> FindByTracking(const std::string& carrier,
                                                                 const std::string& tracking_number) = 0;
  virtual absl::StatusOr<std::vector<Shipment>> ListForOrder(const std::string& order_id) = 0;
  // Records the event once (by event id). A DELIVERED event marks the parcel delivered (once), and each order it
  // carries whose every parcel is delivered goes SHIPPED -> DELIVERED with OrderDelivered in the outbox.
  virtual absl::StatusOr<TrackingOutcome> RecordTracking(const std::string& shipment_id, const TrackingEvent& event,
                                                         bool delivered) = 0;
  // `from` (SHIPPED or DELIVERED) -> COMPLETED with after_sales_deadline = now + the order's after-sales window,
  // history and OrderCompleted in the outbox. False when the order was not in `from`.
  virtual absl::StatusOr<bool> Complete(const std::string& order_id, OrderStatus from, const std::string& reason,
                                        absl::Time now) = 0;
  // Completes DELIVERED orders whose delivery is older than `delivered_before` (up to `limit`), each claimed with a
  // row lock that other sweepers skip, so every order completes once however many sweepers run. Returns how many.
  virtual absl::StatusOr<int> CompleteOverdue(absl::Time delivered_before, absl::Time now, int limit) = 0;
  // An exchange (after_sales.h) as its replacement's shipping needs it; nullopt when there is no such return.
  virtual absl::StatusOr<std::optional<Return>> GetReplacement(const std::string& return_id) = 0;
  // The parcels carrying the exchange's replacement (one per warehouse holding part of it), in the order shipped.
  virtual absl::StatusOr<std::vector<Shipment>> ListReplacementShipments(const std::string& return_id) = 0;
  // Writes one warehouse's replacement parcel (what it carries in shipment_lines, under the exchange's order); the
  // first one moves the return RECEIVED -> REPLACEMENT_SHIPPED with its carrier and tracking number and a
  // ReturnStatusChanged event; once every warehouse's parcel is delivered (RecordTracking) the return becomes
  // EXCHANGED. ALREADY_EXISTS when that warehouse shipped its parcel already or the return left RECEIVED and
  // REPLACEMENT_SHIPPED meanwhile.
  virtual absl::Status CreateReplacementShipment(const Shipment& shipment, const Return& exchange,
                                                 const std::vector<OrderLine>& lines) = 0;
  // The order's after-sales returns, for the refunds before shipment that take units out of its parcels.
  virtual absl::StatusOr<std::vector<Return>> ListOrderReturns(const std::string& order_id) {
    return std::vector<Return>{};
  }
};

class ShipmentIds {
 public:
  virtual ~ShipmentIds() = default;
  virtual std::string NewShipmentId() = 0;
};

struct FulfilmentSettings {
  // Orders of one buyer to the same address from the same warehouse, placed this close together, ship as one parcel.
  absl::Duration merge_window = absl::Hours(24);
  // A delivered order completes on its own this long after delivery unless the buyer confirmed earlier.
  absl::Duration auto_confirm_after = absl::Hours(7 * 24);
  // No-reason returns (7天无理由): the window after completion, and per category where it differs (0 for none).
  absl::Duration after_sales_window = absl::Hours(7 * 24);
  std::map<std::string, absl::Duration> after_sales_window_by_category;
  // Days between the order and the parcel leaving the warehouse, for the promise shown before shipping.
  int handling_days = 1;
  // The carrier rules are cached this long (replacing them through this instance refreshes at once).
  absl::Duration rules_cache_ttl = absl::Seconds(10);
};

// Who ships: an admin (carrier may be empty: the rules choose) or the warehouse system.
struct ShipCommand {
  std::string order_id;
  std::string warehouse_id;  // required when the order ships from several warehouses
  std::string carrier;       // empty: chosen by the carrier rules
  std::string tracking_number;
  std::string source;  // "admin" or "wms", kept in the history reason
  // An exchange of this order: ships its replacement (held once the goods came back; warehouse_id names the part when
  // it is held in several) instead.
  std::string return_id;
  absl::Time shipped_at = absl::InfinitePast();  // InfinitePast: now
};

struct TrackingCommand {
  std::string carrier;
  std::string tracking_number;
  TrackingEvent event;
};

// What the checkout shows: the carrier the rules would choose and when the goods would arrive.
struct QuotedDelivery {
  std::string carrier;
  std::string rule_id;
  DeliveryPromise promise;
};

// Same buyer, same address (as snapshotted), same warehouse, placed within `window` of the anchor, waiting for
// shipment, and not the anchor itself: the orders that may share the anchor's parcel.
std::vector<Order> SelectMergeable(const Order& anchor, const std::string& warehouse_id,
                                   const std::vector<Order>& candidates, absl::Duration window);
// The warehouses an order ships from: its one warehouse, or its child orders'.
std::vector<std::string> WarehousesOf(const Order& order);
// The order's lines leaving `warehouse_id` less the units refunded before shipment (RefundedBeforeShipment); lines
// with nothing left are dropped, so an empty answer means the part was refunded in full and never ships.
std::vector<OrderLine> ShippableLines(const Order& order, const std::string& warehouse_id,
                                      const UnitsNotShipped& not_shipped);
// The child order shipping from `warehouse_id` ("" when the order was not split).
std::string ChildOrderIn(const Order& order, const std::string& warehouse_id);
// Whether every warehouse part of the order is in a parcel.
bool AllPartsShipped(const std::vector<std::string>& required, const std::vector<std::string>& shipped);

class Fulfilment : public ShippingRates {
 public:
  Fulfilment(OrderStore& orders, ShipmentStore& shipments, ProductCatalog& catalog, Clock& clock, ShipmentIds& ids,
             Executor& blocking, FulfilmentSettings settings = {});

  absl::StatusOr<CarrierRuleSet> CarrierRules();
  absl::Status ReplaceCarrierRules(const CarrierRuleSet& rules);

  // Ships an order's part in one warehouse, with every mergeable order (SelectMergeable) in the same parcel. A repeat
  // with the same tracking number answers the parcel already written. With a return id, ships that exchange's
  // replacement, or the part of it held in the named warehouse when it is held in several (INVALID_ARGUMENT
  // WAREHOUSE_REQUIRED without one), carrier by the rules unless named, tracked like any parcel; NOT_FOUND
  // RETURN_NOT_FOUND, FAILED_PRECONDITION REPLACEMENT_NOT_READY before the goods came back and the replacement is
  // held, ALREADY_EXISTS REPLACEMENT_ALREADY_SHIPPED when that part left already. Call from a thread that may block.
  void Ship(const ShipCommand& command, Callback<Shipment> done);
  // The carrier's tracking event for a parcel; NOT_FOUND (SHIPMENT_NOT_FOUND) for an unknown tracking number.
  absl::StatusOr<TrackingOutcome> Track(const TrackingCommand& command);
  // The buyer's own order's parcels (another buyer's order answers ORDER_NOT_FOUND).
  absl::StatusOr<std::vector<Shipment>> ListShipments(const std::string& user_id, const std::string& order_id);
  // The buyer confirms receipt of a shipped or delivered order: COMPLETED. Repeating it answers the completed order.
  absl::StatusOr<Order> ConfirmReceipt(const std::string& user_id, const std::string& order_id);
  // One pass of the auto-confirmation sweeper (it also refreshes the cached carrier rules); returns orders completed.
  int SweepOnce();

  // For the checkout quote; nullopt when the rules or transit times do not cover the parcel, or the rules were not
  // loaded yet. Never blocks: reads the cached rules.
  std::optional<QuotedDelivery> QuoteDelivery(const ParcelFacts& parcel);
  // The fee of the rule QuoteDelivery's parcel would go by (ShippingRates); from the cached rules only.
  std::optional<int64_t> ShippingFeeFor(const ParcelFacts& parcel) override;

 private:
  struct Shipping;
  absl::StatusOr<CarrierRuleSet> CachedRules();
  void ShipReplacement(const ShipCommand& command, Callback<Shipment> done);
  absl::StatusOr<std::shared_ptr<Shipping>> PrepareShipping(const ShipCommand& command);
  void CompleteShipping(std::shared_ptr<Shipping> shipping, const std::vector<SkuInfo>& skus, Callback<Shipment> done);
  // The lines of `order` this parcel may carry; FAILED_PRECONDITION REFUND_PENDING while a refund before shipment of
  // that part awaits its decision or its money, ORDER_PART_REFUNDED when every unit of it was refunded.
  absl::StatusOr<std::vector<OrderLine>> LinesToShip(const Order& order, const std::string& warehouse_id,
                                                     std::map<std::string, int64_t>* refunds_seen);
  absl::Duration AfterSalesWindow(const std::vector<OrderLine>& lines,
                                  const std::map<std::string, SkuInfo>& skus) const;

  OrderStore& orders_;
  ShipmentStore& shipments_;
  ProductCatalog& catalog_;
  Clock& clock_;
  ShipmentIds& ids_;
  Executor& blocking_;
  FulfilmentSettings settings_;

  std::mutex rules_mu_;
  std::optional<CarrierRuleSet> rules_;
  absl::Time rules_loaded_at_ = absl::InfinitePast();
};

}  // namespace zhongtai::order
