#include "services/order/domain/orders.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/async/all.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/order/domain/split.h"

namespace zhongtai::order {
namespace {

constexpr absl::Duration kDuplicatePoll = absl::Milliseconds(50);

std::string LineField(size_t index, const char* name) { return absl::StrCat("lines[", index, "].", name); }

}  // namespace

absl::StatusOr<std::vector<LineRequest>> NormalizeLines(const std::vector<LineRequest>& lines, int max_lines,
                                                        int64_t max_quantity) {
  if (lines.empty()) return InvalidArgument("lines", "LINES_EMPTY", "an order needs at least one line");
  if (static_cast<int>(lines.size()) > max_lines) {
    return InvalidArgument("lines", "TOO_MANY_LINES", absl::StrCat("at most ", max_lines, " lines per order"));
  }
  std::vector<LineRequest> merged;
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < lines.size(); ++i) {
    const LineRequest& line = lines[i];
    if (line.sku_id.empty()) return InvalidArgument(LineField(i, "skuId"), "SKU_ID_MISSING", "sku id is required");
    if (line.quantity <= 0) {
      return InvalidArgument(LineField(i, "quantity"), "QUANTITY_NOT_POSITIVE", "quantity must be at least 1");
    }
    if (line.quantity > max_quantity) {
      return InvalidArgument(LineField(i, "quantity"), "QUANTITY_TOO_LARGE",
                             absl::StrCat("at most ", max_quantity, " units of one SKU per order"));
    }
    auto [it, inserted] = index_of.emplace(line.sku_id, merged.size());
    if (inserted) {
      merged.push_back(line);
    } else {
      merged[it->second].quantity += line.quantity;
      if (merged[it->second].quantity > max_quantity) {
        return InvalidArgument(LineField(i, "quantity"), "QUANTITY_TOO_LARGE",
                               absl::StrCat("at most ", max_quantity, " units of one SKU per order"));
      }
    }
  }
  return merged;
}

const std::vector<std::string>& ValidChannels() {
  static const auto* channels =
      new std::vector<std::string>{"web", "app", "mini_program", "tmall", "jd", "pinduoduo", "douyin"};
  return *channels;
}

std::string RequestFingerprint(const std::vector<LineRequest>& normalized_lines, const CheckoutCommand& command) {
  std::vector<LineRequest> sorted = normalized_lines;
  std::sort(sorted.begin(), sorted.end(),
            [](const LineRequest& a, const LineRequest& b) { return a.sku_id < b.sku_id; });
  std::string fingerprint = absl::StrCat("v2|", command.channel.empty() ? "web" : command.channel, "|",
                                         command.address_id, "|", command.coupon_id, "|", command.points_to_use);
  for (const LineRequest& line : sorted) absl::StrAppend(&fingerprint, "|", line.sku_id, "x", line.quantity);
  return fingerprint;
}

// What the pricing steps have learned so far; shared by the steps of the quote or of the placement until they finish.
struct Orders::Pricing {
  std::string user_id;
  std::string channel;
  std::string address_id;
  std::string coupon_id;
  int64_t points_to_use = 0;
  // A placement needs the coupon to apply; a quote explains why it does not.
  bool coupon_required = false;
  std::vector<LineRequest> lines;  // normalized
  Member member;
  bool new_customer = false;  // never paid an order: new-customer promotions apply
  ShippingAddress address;
  std::string currency = "CNY";
  std::vector<SkuInfo> skus;  // same order as lines
  Quote quote;
  CheckoutPrice price;
};

struct Orders::Placement : Pricing {
  Order order;
  std::vector<StockAllocation> allocations;
  // Set once the holds were asked for: from then on stock, coupon or points may be held for the order until released.
  bool holds_requested = false;
  // The coupon's template, as the lock answered it: its budget pays for the coupon's discount.
  std::string coupon_template_id;
  // What the order charges to budgets; empty when no discount has one (then marketing is not called).
  std::vector<BudgetCharge> budget_charges;
};

Orders::Orders(OrderStore& store, ProductCatalog& catalog, PriceQuoter& quoter, CouponWallet& coupons,
               PromotionBudgets& budgets, UserDirectory& users, Clock& clock, IdGenerator& ids, OrderObserver& observer,
               Executor& blocking, OrderSettings settings, ShippingRates* shipping_rates)
    : store_(store),
      catalog_(catalog),
      quoter_(quoter),
      coupons_(coupons),
      budgets_(budgets),
      users_(users),
      clock_(clock),
      ids_(ids),
      observer_(observer),
      blocking_(blocking),
      settings_(settings),
      shipping_rates_(shipping_rates) {}

namespace {

// What the carrier rules look at in a priced checkout; no warehouse yet (nothing is reserved).
ParcelFacts ParcelOf(const std::vector<LineRequest>& lines, const std::vector<SkuInfo>& skus,
                     const ShippingAddress& address, int64_t goods) {
  ParcelFacts parcel;
  parcel.region = address.province_code;
  parcel.value = goods;
  for (size_t i = 0; i < skus.size() && i < lines.size(); ++i) {
    parcel.weight_grams += skus[i].weight_grams * lines[i].quantity;
    parcel.fragile = parcel.fragile || skus[i].fragile;
  }
  return parcel;
}

}  // namespace

absl::StatusOr<std::vector<LineRequest>> Orders::ValidateCheckout(const CheckoutCommand& command) const {
  if (command.user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  ASSIGN_OR_RETURN(std::vector<LineRequest> lines,
                   NormalizeLines(command.lines, settings_.max_lines, settings_.max_quantity));
  const std::vector<std::string>& channels = ValidChannels();
  if (!command.channel.empty() && std::find(channels.begin(), channels.end(), command.channel) == channels.end()) {
    return InvalidArgument("channel", "CHANNEL_UNKNOWN",
                           absl::StrCat("channel must be one of ", absl::StrJoin(channels, ", ")));
  }
  if (command.points_to_use < 0) {
    return InvalidArgument("pointsToUse", "POINTS_NEGATIVE", "points to use must not be negative");
  }
  if (command.coupon_id.size() > 64) return InvalidArgument("couponId", "COUPON_ID_INVALID", "coupon id is too long");
  if (command.address_id.size() > 64) {
    return InvalidArgument("addressId", "ADDRESS_ID_INVALID", "address id is too long");
  }
  return lines;
}

absl::StatusOr<std::shared_ptr<Orders::Placement>> Orders::NewPlacement(const PlaceOrderCommand& command) {
  ASSIGN_OR_RETURN(std::vector<LineRequest> lines, ValidateCheckout(command));
  if (command.request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required");
  }
  if (command.address_id.empty()) {
    return InvalidArgument("addressId", "SHIPPING_ADDRESS_MISSING", "an order needs the address it ships to");
  }
  auto placement = std::make_shared<Placement>();
  placement->lines = std::move(lines);
  placement->user_id = command.user_id;
  placement->channel = command.channel.empty() ? "web" : command.channel;
  placement->address_id = command.address_id;
  placement->coupon_id = command.coupon_id;
  placement->points_to_use = command.points_to_use;
  placement->coupon_required = true;
  Order& draft = placement->order;
  draft.order_id = ids_.NewOrderId();
  draft.user_id = command.user_id;
  draft.request_id = command.request_id;
  draft.channel = placement->channel;
  draft.coupon_id = command.coupon_id;
  draft.points_used = command.points_to_use;
  draft.request_fingerprint = RequestFingerprint(placement->lines, command);
  draft.created_at = clock_.Now();
  draft.status = OrderStatus::kCreating;
  return placement;
}

void Orders::PlaceOrder(const PlaceOrderCommand& command, Callback<Order> done) {
  absl::StatusOr<std::shared_ptr<Placement>> started = NewPlacement(command);
  if (!started.ok()) return done(started.status());
  std::shared_ptr<Placement> placement = *std::move(started);

  absl::StatusOr<std::optional<Order>> existing = store_.BeginPlacement(placement->order, settings_.max_open_orders);
  if (!existing.ok()) return done(existing.status());
  if (existing->has_value()) {
    return ReplayPlacement(**existing, placement->order.request_fingerprint, std::move(done));
  }

  PlacementSaga::Run(placement, PlacementSteps(), [this, placement, done = std::move(done)](absl::Status status) {
    if (status.ok()) {
      observer_.OrderPlaced(placement->order.channel);
      done(placement->order);
      return;
    }
    blocking_.Run([this, placement, status, done] {
      RecordFailedPlacement(*placement, status);
      std::string reason = ReasonOf(status);
      observer_.PlacementFailed(reason.empty() ? "UNKNOWN" : reason);
      done(status);
    });
  });
}

void Orders::QuoteCheckout(const CheckoutCommand& command, Callback<CheckoutQuote> done) {
  absl::StatusOr<std::vector<LineRequest>> lines = ValidateCheckout(command);
  if (!lines.ok()) return done(lines.status());
  auto pricing = std::make_shared<Pricing>();
  pricing->lines = *std::move(lines);
  pricing->user_id = command.user_id;
  pricing->channel = command.channel.empty() ? "web" : command.channel;
  pricing->address_id = command.address_id;
  pricing->coupon_id = command.coupon_id;
  pricing->points_to_use = command.points_to_use;
  PricingSaga::Run(pricing, PricingSteps<Pricing>(), [pricing, done = std::move(done)](absl::Status status) {
    if (!status.ok()) return done(status);
    CheckoutQuote quote;
    quote.currency = pricing->currency;
    quote.member_tier = pricing->member.tier;
    quote.price = pricing->price;
    quote.line_shares = pricing->quote.shares;
    quote.applied = pricing->quote.applied;
    quote.not_applied = pricing->quote.not_applied;
    quote.free_shipping_threshold = pricing->member.free_shipping_threshold;
    quote.parcel = ParcelOf(pricing->lines, pricing->skus, pricing->address, pricing->price.goods);
    done(std::move(quote));
  });
}

// The pricing steps, in order; none holds anything, so none has an undo.
template <typename State>
std::vector<typename async::Saga<State>::Step> Orders::PricingSteps() {
  auto step = [this](void (Orders::*run)(Pricing&, StatusCallback)) {
    return [this, run](State& state, StatusCallback done) { (this->*run)(state, std::move(done)); };
  };
  std::vector<typename async::Saga<State>::Step> steps;
  steps.emplace_back("member and address (user)", step(&Orders::LoadBuyer));
  steps.emplace_back("prices at the buyer's tier (product)", step(&Orders::FetchPrices));
  steps.emplace_back("quote with the coupon (marketing)", step(&Orders::QuotePrice));
  steps.emplace_back("points and shipping",
                     [this](State& state, StatusCallback done) { done(ApplyPointsAndShipping(state)); });
  return steps;
}

// The placement saga, in order. A step's undo runs, in reverse, when a later step fails; then the failure is recorded
// on the order (RecordFailedPlacement). A new step is a member function here plus, if it holds something, its undo;
// like the others it must be keyed by the order id, so that a retry or the sweeper can repeat it safely.
std::vector<Orders::PlacementSaga::Step> Orders::PlacementSteps() {
  std::vector<PlacementSaga::Step> steps = PricingSteps<Placement>();
  // A failed or timed-out hold may still have taken effect on the other side: release either way.
  steps.push_back({"hold stock, coupon and points (product, marketing, user)",
                   [this](Placement& placement, StatusCallback done) { HoldForOrder(placement, std::move(done)); },
                   [this](Placement& placement, const absl::Status&, std::function<void()> done) {
                     // This undo runs last and marks the order's holds released when every release succeeded, so it
                     // releases the budgets again too when they were charged: the budget step's own undo may have
                     // failed (marketing's release is idempotent), and then only the sweeper can give them back.
                     ReleaseHolds(placement.order.order_id, !placement.coupon_id.empty(), placement.points_to_use > 0,
                                  /*charged_budgets=*/!placement.budget_charges.empty(), std::move(done));
                   },
                   /*undo_when_failed=*/true});
  // After the coupon lock, which names the coupon's template. A charge that failed or timed out may have taken effect.
  steps.push_back({"charge the discounts to their budgets (marketing)",
                   [this](Placement& placement, StatusCallback done) { ChargeBudgets(placement, std::move(done)); },
                   [this](Placement& placement, const absl::Status&, std::function<void()> done) {
                     ReleaseBudgets(placement, std::move(done));
                   },
                   /*undo_when_failed=*/true});
  steps.push_back(
      {"write the order, its child orders and its event (store)", [this](Placement& placement, StatusCallback done) {
         async::Blocking<absl::Status>(
             blocking_, [this, &placement] { return CompletePlacement(placement); }, std::move(done));
       }});
  return steps;
}

absl::StatusOr<bool> Orders::IsNewCustomer(const std::string& user_id) {
  ASSIGN_OR_RETURN(bool paid_before, store_.HasPaidOrder(user_id));
  return !paid_before;
}

void Orders::LoadBuyer(Pricing& pricing, StatusCallback done) {
  // The pricing's first step runs on the thread that started it, which may block: the order center's own record.
  absl::StatusOr<bool> new_customer = IsNewCustomer(pricing.user_id);
  if (!new_customer.ok()) return done(new_customer.status());
  pricing.new_customer = *new_customer;
  std::vector<async::Operation> calls;
  calls.push_back([this, &pricing](StatusCallback member_done) {
    users_.GetMember(pricing.user_id, [&pricing, member_done](absl::StatusOr<Member> member) {
      if (!member.ok()) return member_done(member.status());
      pricing.member = *std::move(member);
      member_done(absl::OkStatus());
    });
  });
  if (!pricing.address_id.empty()) {
    calls.push_back([this, &pricing](StatusCallback address_done) {
      users_.GetAddress(pricing.address_id, [&pricing, address_done](absl::StatusOr<ShippingAddress> address) {
        if (!address.ok()) {
          if (address.status().code() == absl::StatusCode::kNotFound) {
            return address_done(
                Error(absl::StatusCode::kNotFound, "ADDRESS_NOT_FOUND", "the buyer has no such address", "addressId"));
          }
          return address_done(address.status());
        }
        pricing.address = *std::move(address);
        pricing.address.address_id = pricing.address_id;
        address_done(absl::OkStatus());
      });
    });
  }
  async::All(std::move(calls), std::move(done));
}

void Orders::FetchPrices(Pricing& pricing, StatusCallback done) {
  std::vector<std::string> sku_ids;
  for (const LineRequest& line : pricing.lines) sku_ids.push_back(line.sku_id);
  catalog_.GetSkus(
      sku_ids, pricing.member.tier, [&pricing, done = std::move(done)](absl::StatusOr<std::vector<SkuInfo>> skus) {
        if (!skus.ok()) return done(skus.status());
        std::map<std::string, SkuInfo> sku_by_id;
        for (const SkuInfo& sku : *skus) sku_by_id[sku.sku_id] = sku;
        const std::vector<LineRequest>& lines = pricing.lines;
        for (size_t i = 0; i < lines.size(); ++i) {
          auto it = sku_by_id.find(lines[i].sku_id);
          if (it == sku_by_id.end()) {
            return done(Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND",
                              absl::StrCat("sku ", lines[i].sku_id, " does not exist"), LineField(i, "skuId")));
          }
          if (i == 0) pricing.currency = it->second.currency;
          pricing.skus.push_back(it->second);
        }
        done(absl::OkStatus());
      });
}

void Orders::QuotePrice(Pricing& pricing, StatusCallback done) {
  QuoteRequest request;
  for (size_t i = 0; i < pricing.lines.size(); ++i) {
    const SkuInfo& sku = pricing.skus[i];
    request.lines.push_back({sku.sku_id, pricing.lines[i].quantity, sku.unit_price, sku.currency, sku.brand_id,
                             sku.category_path, sku.price_rule.rfind("member:", 0) == 0});
  }
  request.member_tier = pricing.member.tier;
  request.user_tags = pricing.member.tags;
  request.channel = pricing.channel;
  request.coupon_id = pricing.coupon_id;
  request.new_customer = pricing.new_customer;
  request.ship_province_code = pricing.address.province_code;
  request.ship_city_code = pricing.address.city_code;
  quoter_.QuotePrice(request, [&pricing, done = std::move(done)](absl::StatusOr<Quote> quote) {
    if (!quote.ok()) return done(quote.status());
    if (quote->lines.size() != pricing.skus.size()) {
      return done(Internal("QUOTE_MISMATCH", "the quote does not have one line per order line"));
    }
    pricing.quote = *std::move(quote);
    for (size_t i = 0; i < pricing.skus.size(); ++i) {
      pricing.quote.lines[i].list_price = pricing.skus[i].list_price;
      // Marketing names the rule when it set the price (an experiment's arm price, "experiment:<id>:<arm>").
      if (pricing.quote.lines[i].price_rule.empty()) pricing.quote.lines[i].price_rule = pricing.skus[i].price_rule;
    }
    pricing.quote.shares.resize(pricing.quote.lines.size());
    done(absl::OkStatus());
  });
}

absl::Status Orders::ApplyPointsAndShipping(Pricing& pricing) {
  if (pricing.coupon_required) RETURN_IF_ERROR(CheckCouponApplied(pricing.quote, pricing.coupon_id));
  std::optional<int64_t> carrier_fee;
  if (shipping_rates_ != nullptr && !pricing.address.province_code.empty()) {
    carrier_fee = shipping_rates_->ShippingFeeFor(
        ParcelOf(pricing.lines, pricing.skus, pricing.address, GoodsAfterDiscounts(pricing.quote)));
  }
  ASSIGN_OR_RETURN(pricing.price,
                   PriceCheckout(pricing.quote, pricing.member, pricing.points_to_use, settings_.pricing, carrier_fee));
  return absl::OkStatus();
}

void Orders::HoldForOrder(Placement& placement, StatusCallback done) {
  placement.holds_requested = true;
  const std::string& order_id = placement.order.order_id;
  std::vector<async::Operation> holds;
  holds.push_back([this, &placement, &order_id](StatusCallback reserved) {
    if (!placement.quote.gifts.empty()) return ReserveWithGifts(placement, std::move(reserved));
    catalog_.Reserve(order_id, placement.lines, placement.address,
                     settings_.payment_timeout + settings_.reservation_grace,
                     [&placement, reserved](absl::StatusOr<std::vector<StockAllocation>> allocations) {
                       if (!allocations.ok()) return reserved(allocations.status());
                       placement.allocations = *std::move(allocations);
                       reserved(absl::OkStatus());
                     });
  });
  if (!placement.coupon_id.empty()) {
    holds.push_back([this, &placement, &order_id](StatusCallback locked) {
      coupons_.Lock(order_id, placement.coupon_id, [&placement, locked](absl::StatusOr<LockedCoupon> coupon) {
        if (!coupon.ok()) return locked(coupon.status());
        placement.coupon_template_id = coupon->coupon_template_id;
        locked(absl::OkStatus());
      });
    });
  }
  if (placement.points_to_use > 0) {
    holds.push_back([this, &placement, &order_id](StatusCallback held) {
      users_.HoldPoints(order_id, placement.points_to_use, placement.price.goods, placement.currency, std::move(held));
    });
  }
  async::All(std::move(holds), std::move(done));
}

// The bought lines and the gifts in one reservation. When that fails for want of stock (or because a SKU is not on
// sale) the bought lines are reserved alone: the order goes through without its gifts, and gift_note says so. A failed
// reservation holds nothing, so the second one under the same order id starts clean; if a bought line was the one
// short, it fails the same way and the placement fails as it would have without gifts. Orders without gifts never get
// here.
void Orders::ReserveWithGifts(Placement& placement, StatusCallback done) {
  std::vector<LineRequest> with_gifts = placement.lines;
  for (const GiftLine& gift : placement.quote.gifts) with_gifts.push_back({gift.sku_id, gift.quantity});
  const absl::Duration ttl = settings_.payment_timeout + settings_.reservation_grace;
  catalog_.Reserve(
      placement.order.order_id, with_gifts, placement.address, ttl,
      [this, &placement, ttl, done = std::move(done)](absl::StatusOr<std::vector<StockAllocation>> allocations) {
        if (allocations.ok()) {
          placement.allocations = *std::move(allocations);
          return done(absl::OkStatus());
        }
        const std::string reason = ReasonOf(allocations.status());
        if (reason != "INSUFFICIENT_STOCK" && reason != "SKU_NOT_ON_SALE" && reason != "SKU_NOT_FOUND") {
          return done(allocations.status());
        }
        std::vector<std::string> left_out;
        for (const GiftLine& gift : placement.quote.gifts) {
          left_out.push_back(absl::StrCat(gift.quantity, " x ", gift.sku_id, " (promotion ", gift.promotion_id, ")"));
        }
        std::vector<OrderLine>& lines = placement.price.lines;
        lines.erase(std::remove_if(lines.begin(), lines.end(), [](const OrderLine& line) { return line.IsGift(); }),
                    lines.end());
        placement.order.gift_note = absl::StrCat("GIFT_UNAVAILABLE: placed without the gift ",
                                                 absl::StrJoin(left_out, ", "), ": ", allocations.status().message());
        catalog_.Reserve(placement.order.order_id, placement.lines, placement.address, ttl,
                         [&placement, done](absl::StatusOr<std::vector<StockAllocation>> alone) {
                           if (!alone.ok()) return done(alone.status());
                           placement.allocations = *std::move(alone);
                           done(absl::OkStatus());
                         });
      });
}

void Orders::ChargeBudgets(Placement& placement, StatusCallback done) {
  absl::StatusOr<std::vector<BudgetCharge>> charges =
      BudgetChargesOf(placement.quote, placement.coupon_id, placement.coupon_template_id, placement.currency);
  if (!charges.ok()) return done(charges.status());
  if (charges->empty()) return done(absl::OkStatus());
  placement.budget_charges = *std::move(charges);
  budgets_.Charge(placement.order.order_id, placement.budget_charges,
                  [done = std::move(done)](absl::Status charged) { done(BudgetChargeOutcome(charged)); });
}

void Orders::ReleaseBudgets(Placement& placement, std::function<void()> done) {
  if (placement.budget_charges.empty()) return done();
  const std::string order_id = placement.order.order_id;
  budgets_.Release(order_id, [order_id, done = std::move(done)](absl::Status released) {
    // The sweeper releases a failed order's budgets again (ReleaseHoldsOf), and marketing on the order's events.
    if (!released.ok()) {
      log::Warn("releasing an order's budgets failed; the sweeper will retry",
                {{"order_id", order_id}, {"error", released.ToString()}});
    }
    done();
  });
}

absl::Status Orders::CompletePlacement(Placement& placement) {
  absl::Time now = clock_.Now();
  Order& order = placement.order;
  const CheckoutPrice& price = placement.price;
  order.currency = placement.currency;
  order.lines = price.lines;
  order.subtotal = price.subtotal;
  order.discount = price.discount;
  order.shipping_fee = price.shipping_fee;
  order.points_used = price.points_used;
  order.points_deduction = price.points_deduction;
  order.total = price.total;
  order.address = placement.address;
  RETURN_IF_ERROR(SplitByWarehouse(placement.allocations, order));
  order.status = OrderStatus::kPendingPayment;
  order.pay_deadline = now + settings_.payment_timeout;
  order.history.push_back({OrderStatus::kPendingPayment, now, "placed"});
  return store_.CompletePlacement(order);
}

void Orders::RecordFailedPlacement(const Placement& placement, const absl::Status& error) {
  const std::string& order_id = placement.order.order_id;
  absl::Status recorded = store_.FailPlacement(order_id, error, clock_.Now());
  // Nothing was held: nothing is owed back.
  if (recorded.ok() && !placement.holds_requested) recorded = store_.MarkHoldsReleased(order_id);
  if (!recorded.ok()) {
    log::Error("could not record a failed placement; the sweeper will retry",
               {{"order_id", order_id}, {"error", recorded.ToString()}});
  }
}

void Orders::ReplayPlacement(const Order& existing, const std::string& fingerprint, Callback<Order> done) {
  if (existing.request_fingerprint != fingerprint) {
    return done(AlreadyExists("IDEMPOTENCY_KEY_REUSED", "this idempotency key was used for a different order"));
  }
  AwaitFirstPlacement(existing, absl::Now() + settings_.duplicate_wait, std::move(done));
}

// Looks at the order again every kDuplicatePoll until the first request finished it. No worker is held in between: the
// first request's own steps need the workers to finish, however many repeats are waiting.
void Orders::AwaitFirstPlacement(const Order& current, absl::Time give_up, Callback<Order> done) {
  if (current.status == OrderStatus::kFailed) {
    const auto code = static_cast<absl::StatusCode>(current.failure_code);
    // A placement undone after a passing failure (a service down, a timeout, a crash the sweeper cleaned up:
    // SAGA_INTERRUPTED) is over: answering its 503 again would have a client that retries with the same key, as it
    // should, retry forever. The repeat says it for certain (ABORTED, 409, the same reason): place the order again
    // under a new key. Only the first answer carries the passing code.
    if (code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
        code == absl::StatusCode::kAborted || code == absl::StatusCode::kResourceExhausted) {
      return done(Aborted(current.failure_reason,
                          absl::StrCat("this placement failed and was undone (", current.failure_message,
                                       "); place the order again with a new Idempotency-Key")));
    }
    return done(Error(code, current.failure_reason, current.failure_message));
  }
  if (current.status != OrderStatus::kCreating) return done(current);
  if (absl::Now() >= give_up) {
    return done(Aborted("ORDER_IN_PROGRESS", "the first request with this idempotency key is still running; retry"));
  }
  blocking_.RunAfter(kDuplicatePoll, [this, order_id = current.order_id, give_up, done = std::move(done)] {
    absl::StatusOr<Order> reloaded = store_.Get(order_id);
    if (!reloaded.ok()) return done(reloaded.status());
    AwaitFirstPlacement(*reloaded, give_up, done);
  });
}

absl::StatusOr<std::vector<BudgetCharge>> BudgetChargesOf(const Quote& quote, const std::string& coupon_id,
                                                          const std::string& coupon_template_id,
                                                          const std::string& currency) {
  std::vector<BudgetCharge> charges;
  for (const PromotionApplied& applied : quote.applied) {
    if (!applied.budgeted || applied.discount <= 0) continue;
    BudgetCharge charge;
    charge.amount = applied.discount;
    charge.currency = currency;
    if (!coupon_id.empty() && applied.promotion_id == coupon_id) {
      if (coupon_template_id.empty()) {
        return Internal("QUOTE_MISMATCH", "the coupon's budget is limited but its lock named no template");
      }
      charge.coupon_template_id = coupon_template_id;
    } else {
      charge.promotion_id = applied.promotion_id;
    }
    charges.push_back(std::move(charge));
  }
  return charges;
}

absl::Status BudgetChargeOutcome(const absl::Status& charged) {
  if (charged.code() == absl::StatusCode::kFailedPrecondition && ReasonOf(charged) == "BUDGET_SPENT") {
    return FailedPrecondition("PROMOTION_BUDGET_SPENT",
                              absl::StrCat("a discount's budget ran out while the order was placed (",
                                           charged.message(), "); quote again and place the order at the new price"));
  }
  return charged;
}

bool MayHoldBudgets(const Order& order) { return order.discount > 0 || order.status == OrderStatus::kFailed; }

absl::StatusOr<Order> LoadOwnOrder(OrderStore& store, const std::string& user_id, const std::string& order_id) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  absl::StatusOr<Order> order = store.Get(order_id);
  // Another user's order answers exactly like a missing one.
  if ((!order.ok() && order.status().code() == absl::StatusCode::kNotFound) ||
      (order.ok() && (order->user_id != user_id || !IsVisible(order->status)))) {
    return NotFound("ORDER_NOT_FOUND", "no such order");
  }
  return order;
}

}  // namespace zhongtai::order
