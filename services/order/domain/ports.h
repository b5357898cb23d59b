// What the order domain needs from the outside world. Implementations: store/ (PostgreSQL),
// clients/ (gRPC), the service's worker pool (Executor), and in-memory fakes in tests/.
//
// Threads: the store blocks and is called only from threads that may block (a worker, or the sweeper's own thread).
// Other services are called asynchronously: the call returns at once and its callback (async::Callback) runs later on a
// thread that must not block (gRPC's), or inline in tests; work after it that touches the store continues on the
// Executor (async::On).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async/callback.h"
#include "common/clock/clock.h"
#include "services/order/domain/carrier_rules.h"
#include "services/order/domain/order.h"

namespace zhongtai::order {

using async::Callback;
using async::Executor;
using async::StatusCallback;

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string NewOrderId() = 0;
  virtual std::string NewPaymentId() = 0;
};

// A member as the user center sees them: the tier decides prices and free shipping.
struct Member {
  std::string tier = "normal";  // normal, silver, gold, diamond
  int64_t points_balance = 0;
  std::vector<std::string> tags;
  // Orders whose goods (after discounts) reach this ship free; none when empty.
  std::optional<int64_t> free_shipping_threshold;
};

// The user center: the buyer's membership and address book, and the points held for an order. Every call is made on
// behalf of the buyer (the forwarded identity). HoldPoints, CommitPoints and ReleasePoints are idempotent per order
// id; releasing a hold that does not exist counts as released. Asynchronous: see the top of this file.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  virtual void GetMember(const std::string& user_id, Callback<Member> done) = 0;
  // NOT_FOUND (ADDRESS_NOT_FOUND) when the buyer has no such address.
  virtual void GetAddress(const std::string& address_id, Callback<ShippingAddress> done) = 0;
  virtual void HoldPoints(const std::string& order_id, int64_t points, int64_t order_amount,
                          const std::string& currency, StatusCallback done) = 0;
  virtual void CommitPoints(const std::string& order_id, StatusCallback done) = 0;
  virtual void ReleasePoints(const std::string& order_id, StatusCallback done) = 0;
};

struct SkuInfo {
  std::string sku_id;
  std::string product_id;  // the product (SPU): an exchange may send another SKU of the same one
  int64_t unit_price = 0;  // what this buyer pays
  std::string currency;
  int64_t list_price = 0;
  std::string price_rule;  // "list", "member:gold", "scheduled:weekend"
  // For the cart: whether it can be sold now (the SKU is not retired and its product is on shelf), the units
  // available over all warehouses (unset: unknown), and what to show.
  bool on_shelf = true;
  std::optional<int64_t> available;
  std::string product_title;
  std::string spec;
  // For fulfilment: the carrier rules weigh the parcel and look for fragile goods; the after-sales window may depend
  // on the category.
  int64_t weight_grams = 0;
  bool fragile = false;
  std::string category_id;
  std::string brand_id;
  std::vector<std::string> category_path;  // root first; category_id is its last
};

struct PricedLine {
  std::string sku_id;
  int64_t quantity = 0;
  int64_t unit_price = 0;
  std::string currency;
  // What promotions scoped to a brand or a category (its subcategories included) look at.
  std::string brand_id;
  std::vector<std::string> category_path;  // category ids from the root to the SKU's own
  bool member_price = false;               // unit_price is the member price of the buyer's tier
};

// What marketing is asked to price.
struct QuoteRequest {
  std::vector<PricedLine> lines;
  std::string member_tier;
  std::vector<std::string> user_tags;
  std::string channel;
  std::string coupon_id;      // empty: none
  bool new_customer = false;  // no paid order yet (OrderStore::HasPaidOrder)
  // The address's division codes, when the order has one: gifts' stock is checked where they would ship from.
  std::string ship_province_code;
  std::string ship_city_code;
};

struct PromotionApplied {
  std::string promotion_id;  // the coupon id for the coupon
  std::string name;
  int64_t discount = 0;
  // Marketing limits what it may give away (a budget): the placed order charges `discount` to it.
  bool budgeted = false;
};

// Why a promotion (or the request's coupon) did not apply, as marketing explains it.
struct PromotionNotApplied {
  std::string promotion_id;
  std::string name;
  std::string reason;  // e.g. THRESHOLD_NOT_MET, COUPON_UNUSABLE
  int64_t amount_missing = 0;
  int64_t quantity_missing = 0;
  std::string coupon_reason;                 // for COUPON_UNUSABLE: COUPON_EXPIRED, COUPON_USED, ...
  std::string by_promotion_id;               // for EXCLUDED: the promotion that applies instead
  std::vector<std::string> missing_sku_ids;  // for BUNDLE_INCOMPLETE: the SKUs missing; GIFT_OUT_OF_STOCK: the gift
};

struct LineShare {
  std::string promotion_id;
  int64_t amount = 0;
};

// A SKU a gift promotion adds to the order at price 0.
struct GiftLine {
  std::string sku_id;
  int64_t quantity = 0;
  std::string promotion_id;
};

struct Quote {
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t total = 0;
  std::vector<OrderLine> lines;                // same order as the request
  std::vector<std::vector<LineShare>> shares;  // per line, per promotion; they sum to the line's discount
  std::vector<PromotionApplied> applied;
  std::vector<PromotionNotApplied> not_applied;  // every active promotion that did not apply, and why
  std::vector<GiftLine> gifts;                   // added by the gift promotions that applied; not in `lines`
};

// Stock of one SKU held for an order in one warehouse.
struct StockAllocation {
  std::string sku_id;
  std::string warehouse_id;
  int64_t quantity = 0;
};

// The product service: prices and stock reservations keyed by order id. Reserve, Confirm and
// Release are idempotent for the same order id. Asynchronous: see the top of this file.
class ProductCatalog {
 public:
  virtual ~ProductCatalog() = default;
  // Prices at the buyer's member tier, now.
  virtual void GetSkus(const std::vector<std::string>& sku_ids, const std::string& buyer_tier,
                       Callback<std::vector<SkuInfo>> done) = 0;
  // Holds the stock in warehouses serving the address's region; answers where each line is held.
  virtual void Reserve(const std::string& order_id, const std::vector<LineRequest>& lines,
                       const ShippingAddress& ship_to, absl::Duration ttl,
                       Callback<std::vector<StockAllocation>> done) = 0;
  virtual void Confirm(const std::string& order_id, StatusCallback done) = 0;
  // NOT_FOUND (nothing was reserved) counts as released.
  virtual void Release(const std::string& order_id, StatusCallback done) = 0;
};

// The marketing service's price quote. Asynchronous: see the top of this file.
class PriceQuoter {
 public:
  virtual ~PriceQuoter() = default;
  virtual void QuotePrice(const QuoteRequest& request, Callback<Quote> done) = 0;
};

// A coupon as locked for an order: its template's budget pays for the coupon's discount.
struct LockedCoupon {
  std::string coupon_template_id;
};

// The marketing service's coupon wallet, keyed by order id: a lock holds the buyer's coupon for the order, redeem
// spends it once the order is paid, release gives it back. Idempotent; releasing when the order holds no coupon
// counts as released. Asynchronous: see the top of this file.
class CouponWallet {
 public:
  virtual ~CouponWallet() = default;
  virtual void Lock(const std::string& order_id, const std::string& coupon_id, Callback<LockedCoupon> done) = 0;
  virtual void Redeem(const std::string& order_id, StatusCallback done) = 0;
  virtual void Release(const std::string& order_id, StatusCallback done) = 0;
};

// One promotion's or coupon template's part of an order's discount, charged to its budget.
struct BudgetCharge {
  std::string promotion_id;        // exactly one of the two
  std::string coupon_template_id;  // for the order's coupon
  int64_t amount = 0;
  std::string currency;
};

// The marketing service's budgets, keyed by order id. Charge takes each charge off its budget, all or none
// (FAILED_PRECONDITION BUDGET_SPENT when one cannot cover it); Release gives what the order charged back. Idempotent;
// releasing an order that charged nothing counts as released, and such an order cannot charge afterwards.
// Asynchronous: see the top of this file.
// What shipping costs a parcel at checkout, before its warehouse is known: the fee of the carrier rule it would go by
// (Fulfilment keeps the rules).
class ShippingRates {
 public:
  virtual ~ShippingRates() = default;
  // nullopt when that rule sets no fee or no rules are known yet: the shop's flat fee applies. Never blocks.
  virtual std::optional<int64_t> ShippingFeeFor(const ParcelFacts& parcel) = 0;
};

class PromotionBudgets {
 public:
  virtual ~PromotionBudgets() = default;
  virtual void Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges, StatusCallback done) = 0;
  virtual void Release(const std::string& order_id, StatusCallback done) = 0;
};

struct Payment {
  std::string payment_id;
  std::string order_id;
  int64_t amount = 0;
  std::string currency;
  std::string provider;
  absl::Time paid_at;
};

struct OrderPage {
  std::vector<Order> orders;
  std::string next_cursor;  // empty at the end
};

class OrderStore {
 public:
  virtual ~OrderStore() = default;

  // Inserts `draft` in CREATING unless the user already used the request id. Returns nullopt when
  // inserted, else the order the request id belongs to (in whatever state it is).
  // With max_open_orders > 0 the buyer's open orders (CREATING, PENDING_PAYMENT, PAYING) are counted first, serialized
  // per buyer with the insert, and a new order past the cap is refused by CheckOpenOrders (a replay of an existing
  // request id is answered first, whatever the count).
  virtual absl::StatusOr<std::optional<Order>> BeginPlacement(const Order& draft, int max_open_orders = 0) = 0;
  // CREATING -> PENDING_PAYMENT with the priced lines, the address snapshot and the child orders; writes OrderPlaced
  // to the outbox.
  virtual absl::Status CompletePlacement(const Order& order) = 0;
  // CREATING -> FAILED, remembering the error for retries of the same request id.
  virtual absl::Status FailPlacement(const std::string& order_id, const absl::Status& error, absl::Time now) = 0;

  virtual absl::StatusOr<Order> Get(const std::string& order_id) = 0;
  // Visible orders of a user, newest first.
  virtual absl::StatusOr<OrderPage> ListByUser(const std::string& user_id, int limit, const std::string& cursor) = 0;
  // Whether the user ever paid an order (PAID or any state after it, refunded ones too): a buyer who has not is a new
  // customer for marketing's new-customer promotions.
  virtual absl::StatusOr<bool> HasPaidOrder(const std::string& user_id) = 0;

  // PENDING_PAYMENT -> PAYING if the deadline has not passed. False when the order was not in that state.
  virtual absl::StatusOr<bool> ClaimForPayment(const std::string& order_id, absl::Time now) = 0;
  // PAYING -> PAID with the payment record (one per order) and OrderPaid in the outbox.
  virtual absl::StatusOr<bool> MarkPaid(const Payment& payment) = 0;
  // `from` -> CANCELLED with OrderCancelled in the outbox; what was held for it is then owed back (MarkHoldsReleased).
  virtual absl::StatusOr<bool> Cancel(const std::string& order_id, OrderStatus from, const std::string& reason,
                                      absl::Time now) = 0;
  // The stock, coupon and points held for a cancelled or failed order were given back.
  virtual absl::Status MarkHoldsReleased(const std::string& order_id) = 0;
  // A paid order's stock was confirmed, its coupon redeemed and its points spent: PAID -> AWAITING_SHIPMENT (with its
  // history row), ready for the warehouse. Idempotent.
  virtual absl::Status MarkPaidEffectsApplied(const std::string& order_id, absl::Time now) = 0;

  // For the sweeper: ids of orders in `status` last changed before `before`; unpaid orders past their
  // deadline; cancelled or failed orders whose holds were not yet given back; paid orders whose effects are not yet
  // applied.
  virtual absl::StatusOr<std::vector<std::string>> ListStale(OrderStatus status, absl::Time before, int limit) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListPaymentOverdue(absl::Time now, int limit) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListUnreleased(int limit) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListPaidEffectsPending(absl::Time paid_before, int limit) = 0;
};

// Business counters, implemented with Prometheus outside the domain.
class OrderObserver {
 public:
  virtual ~OrderObserver() = default;
  virtual void OrderPlaced(const std::string& channel) {}
  virtual void PlacementFailed(const std::string& reason) {}
  virtual void PaymentFinished(const std::string& result) {}
};

}  // namespace zhongtai::order
