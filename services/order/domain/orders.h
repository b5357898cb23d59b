// The order center's use cases. Placing an order is a saga: the buyer's member tier and address (user), prices at
// that tier (product), the quote with the coupon (marketing), points and shipping (pricing.h), then the holds: stock
// in the address's region (product), the coupon (marketing) and the points (user), and finally the order, its child
// orders (split.h) and its outbox event. Any failure undoes the finished steps in reverse. Every step is keyed by the
// order id, so retries and the sweeper can finish or undo it safely.
//
// Nothing stays held after a crash: the order row exists (CREATING, with its coupon and points) before anything is
// held, and a CREATING row untouched for stale_after is failed by the sweeper, which then releases the stock, coupon
// and points owed (ListUnreleased, until each release succeeded). The other services bound it too: product expires
// the reservation after payment_timeout + reservation_grace, user releases a points hold after its own hold TTL;
// marketing's coupon locks do not expire, so the sweeper's release is what frees them.
//
// The use cases that call other services are asynchronous: call them from a thread that may block (their first store
// step runs on it); no thread waits while another service answers, and `done` runs exactly once, on any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async/saga.h"
#include "services/order/domain/carrier_rules.h"
#include "services/order/domain/order.h"
#include "services/order/domain/payment_ports.h"
#include "services/order/domain/ports.h"
#include "services/order/domain/pricing.h"

namespace zhongtai::order {

struct OrderSettings {
  absl::Duration payment_timeout = absl::Minutes(15);
  // Reservations outlive the payment deadline by this much, so the order's own timeout releases them first.
  absl::Duration reservation_grace = absl::Minutes(5);
  // A saga or payment step untouched this long was interrupted (crash); the sweeper finishes or undoes it.
  absl::Duration stale_after = absl::Seconds(30);
  // How long a duplicate request waits for the first one to finish; below the gateway's upstream
  // deadline (5 s), so the caller gets ORDER_IN_PROGRESS rather than a timeout.
  absl::Duration duplicate_wait = absl::Seconds(3);
  int max_lines = 50;
  // Units of one SKU in one order (repeated lines of a SKU add up): QUANTITY_TOO_LARGE above it.
  int64_t max_quantity = 9999;
  // Hoarding stock with unpaid orders (OWASP API6): a buyer's open unpaid orders at most (OPEN_ORDERS_LIMIT_REACHED
  // for one more); 0: no cap. Flash-sale and imported orders are not refused by it (they count, though).
  int max_open_orders = 0;
  PricingRules pricing;
};

// What the buyer chose at checkout.
struct CheckoutCommand {
  std::string user_id;
  std::vector<LineRequest> lines;
  std::string address_id;  // required to place an order; optional for a quote
  std::string coupon_id;   // empty: none
  int64_t points_to_use = 0;
  std::string channel;  // web, app, mini_program or a marketplace (ValidChannels); empty is web
};

struct PlaceOrderCommand : CheckoutCommand {
  std::string request_id;
};

// The checkout priced without holding anything: what placing the order now would charge, and why.
struct CheckoutQuote {
  std::string currency = "CNY";
  std::string member_tier;
  CheckoutPrice price;
  std::vector<std::vector<LineShare>> line_shares;  // per line, per promotion
  std::vector<PromotionApplied> applied;
  std::vector<PromotionNotApplied> not_applied;
  std::optional<int64_t> free_shipping_threshold;
  // What the carrier rules look at, for the delivery promise (no warehouse yet: nothing is reserved).
  ParcelFacts parcel;
};

class Orders : public PaidOrderEffects {
 public:
  // Blocking work that follows a call to another service runs on `blocking` (the worker pool).
  Orders(OrderStore& store, ProductCatalog& catalog, PriceQuoter& quoter, CouponWallet& coupons,
         PromotionBudgets& budgets, UserDirectory& users, Clock& clock, IdGenerator& ids, OrderObserver& observer,
         Executor& blocking, OrderSettings settings = {}, ShippingRates* shipping_rates = nullptr);

  void PlaceOrder(const PlaceOrderCommand& command, Callback<Order> done);
  // The same pricing as PlaceOrder (member, prices, quote, points, shipping) without holding or writing anything.
  void QuoteCheckout(const CheckoutCommand& command, Callback<CheckoutQuote> done);
  // A buyer who never paid an order: new-customer promotions are theirs (blocks on the store).
  absl::StatusOr<bool> IsNewCustomer(const std::string& user_id);
  absl::StatusOr<Order> GetOrder(const std::string& user_id, const std::string& order_id);
  absl::StatusOr<OrderPage> ListOrders(const std::string& user_id, int page_size, const std::string& page_token);
  void CancelOrder(const std::string& user_id, const std::string& order_id, const std::string& reason,
                   Callback<Order> done);

  // What happens once an order is paid: its stock is confirmed (product; skipped when stock_confirmed), its coupon
  // redeemed (marketing) and its points spent (user), at once; then the store notes it. Payments calls it once the
  // payment is recorded (PAID), from a thread that may block. Every part is idempotent per order id: when one fails,
  // `done` gets the error and the sweeper applies them again until all succeeded.
  void ApplyPaid(const Order& paid, bool stock_confirmed, StatusCallback done) override;

  // One pass of the background sweeper: cancels overdue unpaid orders, undoes interrupted sagas, applies the effects
  // of paid orders that failed and retries releases that failed. Returns orders touched. (Payments has its own
  // sweeper for orders being paid.)
  // It waits for each order's steps, so it runs on a thread of its own (server::PeriodicTask), never on the worker
  // pool its steps continue on.
  int SweepOnce();

 private:
  struct Pricing;
  struct Placement;
  using PricingSaga = async::Saga<Pricing>;
  using PlacementSaga = async::Saga<Placement>;

  absl::StatusOr<std::vector<LineRequest>> ValidateCheckout(const CheckoutCommand& command) const;
  absl::StatusOr<std::shared_ptr<Placement>> NewPlacement(const PlaceOrderCommand& command);
  // The pricing steps, shared by the placement and the quote.
  template <typename State>
  std::vector<typename async::Saga<State>::Step> PricingSteps();
  std::vector<PlacementSaga::Step> PlacementSteps();
  void LoadBuyer(Pricing& pricing, StatusCallback done);
  void FetchPrices(Pricing& pricing, StatusCallback done);
  void QuotePrice(Pricing& pricing, StatusCallback done);
  absl::Status ApplyPointsAndShipping(Pricing& pricing);
  // Reserves the stock, locks the coupon and holds the points at once.
  void HoldForOrder(Placement& placement, StatusCallback done);
  // HoldForOrder's reservation when the quote added gifts: with them, or without them when they cannot be had.
  void ReserveWithGifts(Placement& placement, StatusCallback done);
  // Charges the quote's budgeted discounts (BudgetChargesOf) to their budgets; no call when there are none.
  void ChargeBudgets(Placement& placement, StatusCallback done);
  void ReleaseBudgets(Placement& placement, std::function<void()> done);
  absl::Status CompletePlacement(Placement& placement);
  void RecordFailedPlacement(const Placement& placement, const absl::Status& error);
  // A repeat of a request id gets the first request's outcome, once there is one.
  void ReplayPlacement(const Order& existing, const std::string& fingerprint, Callback<Order> done);
  void AwaitFirstPlacement(const Order& current, absl::Time give_up, Callback<Order> done);

  void CancelAttempt(Order order, const std::string& reason, int attempt, Callback<Order> done);
  void CancelAndRelease(const std::string& order_id, OrderStatus from, const std::string& reason, StatusCallback done);
  // Gives back, at once, the stock (product), the coupon (marketing, when the order has one), the budgets (marketing,
  // when it may have charged some) and the points (user, when it uses some), then notes it in the store; a failure is
  // logged for the sweeper to retry.
  void ReleaseHolds(const std::string& order_id, bool has_coupon, bool uses_points, bool charged_budgets,
                    std::function<void()> done);
  void ReleaseHoldsOf(const std::string& order_id, std::function<void()> done);

  OrderStore& store_;
  ProductCatalog& catalog_;
  PriceQuoter& quoter_;
  CouponWallet& coupons_;
  PromotionBudgets& budgets_;
  UserDirectory& users_;
  Clock& clock_;
  IdGenerator& ids_;
  OrderObserver& observer_;
  Executor& blocking_;
  OrderSettings settings_;
  ShippingRates* shipping_rates_;  // null: every order pays the flat fee
};

// Validates and merges repeated SKUs (quantities add up); field names are the API's, e.g. "lines[1].quantity".
absl::StatusOr<std::vector<LineRequest>> NormalizeLines(const std::vector<LineRequest>& lines, int max_lines,
                                                        int64_t max_quantity);
// The channels an order may come from: web, app, mini_program and the third-party marketplaces.
const std::vector<std::string>& ValidChannels();
std::string RequestFingerprint(const std::vector<LineRequest>& normalized_lines, const CheckoutCommand& command);
// What a placed order charges to budgets: each applied discount whose promotion (or coupon template) has a budget, in
// the order's currency; the coupon's charge goes to `coupon_template_id`. Empty when none has a budget.
absl::StatusOr<std::vector<BudgetCharge>> BudgetChargesOf(const Quote& quote, const std::string& coupon_id,
                                                          const std::string& coupon_template_id,
                                                          const std::string& currency);
// A charge refused for a spent budget becomes FAILED_PRECONDITION PROMOTION_BUDGET_SPENT: the buyer quotes again (the
// quote then leaves the promotion out and says BUDGET_SPENT) instead of getting a discount nobody pays for.
absl::Status BudgetChargeOutcome(const absl::Status& charged);
// Whether a cancelled or failed order may hold budget charges: it had a discount, or it failed before its price was
// recorded.
bool MayHoldBudgets(const Order& order);
// The buyer's own visible order; another user's order answers exactly like a missing one (ORDER_NOT_FOUND).
absl::StatusOr<Order> LoadOwnOrder(OrderStore& store, const std::string& user_id, const std::string& order_id);

}  // namespace zhongtai::order
