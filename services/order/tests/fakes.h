// In-memory stand-ins for the order domain's ports, for unit tests of the domain only. The remote ports complete
// inline unless a test defers them; the store is thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/money/apportion.h"
#include "common/status/status.h"
#include "services/order/domain/payment_ports.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order::testing {

using FakeClock = zhongtai::FakeClock;

class SequentialIds : public IdGenerator {
 public:
  std::string NewOrderId() override { return absl::StrCat("o", ++next_); }
  std::string NewPaymentId() override { return absl::StrCat("p", ++next_); }

 private:
  int next_ = 0;
};

// Stock per SKU with reservations keyed by order id; records every call so tests can check the saga's order. A SKU is
// held in the warehouse `warehouse_of` names ("wh-1" when none), or split over two (`split_of`).
// Calls complete inline, like a service that answers at once; with `defer_get_skus` GetSkus completes only when the
// test calls CompleteDeferred(), from the test's thread, as a gRPC thread would.
// What Payments hands a paid order to (Orders::ApplyPaid in production): records the order ids.
class RecordingPaidEffects : public PaidOrderEffects {
 public:
  void ApplyPaid(const Order& paid, bool stock_confirmed, StatusCallback done) override {
    applied.push_back(paid.order_id);
    stock_confirmed_first.push_back(stock_confirmed);
    done(absl::OkStatus());
  }
  std::vector<std::string> applied;
  std::vector<bool> stock_confirmed_first;
};

class FakeCatalog : public ProductCatalog {
 public:
  std::map<std::string, int64_t> available;
  std::map<std::string, int64_t> price;
  // (sku, tier) -> the member price at that tier.
  std::map<std::pair<std::string, std::string>, int64_t> tier_price;
  std::map<std::string, std::string> warehouse_of;
  // A SKU whose stock is split: at most `first` units come from its warehouse_of, the rest from `rest`.
  struct Split {
    int64_t first = 0;
    std::string rest;
  };
  std::map<std::string, Split> split_of;
  std::map<std::string, std::vector<LineRequest>> held, confirmed;
  std::string last_tier;
  // What fulfilment reads from a SKU (weight, fragile category, category).
  std::map<std::string, int64_t> weight_grams;
  std::map<std::string, bool> fragile;
  std::map<std::string, std::string> category_of;
  std::map<std::string, std::string> product_of;
  // What promotions scoped by brand or category look at.
  std::map<std::string, std::string> brand_of;
  std::map<std::string, std::vector<std::string>> category_path_of;
  ShippingAddress last_ship_to;
  std::vector<std::string> calls;
  absl::Status fail_get_skus, fail_reserve, fail_release, fail_confirm;
  // The reservation is made but its answer is lost with this error (a timeout after the product side committed).
  absl::Status lose_reserve_answer;
  bool defer_get_skus = false;
  // SKUs whose product is off shelf. With unknown_fails_batch, a batch naming an unknown SKU fails NOT_FOUND naming
  // it (field skuIds[i]), as the product service answers.
  std::set<std::string> off_shelf;
  bool unknown_fails_batch = false;
  std::vector<std::vector<std::string>> get_skus_batches;

  void GetSkus(const std::vector<std::string>& ids, const std::string& tier,
               Callback<std::vector<SkuInfo>> done) override {
    std::unique_lock<std::mutex> lock(mu_);
    calls.push_back("GetSkus");
    last_tier = tier;
    get_skus_batches.push_back(ids);
    absl::StatusOr<std::vector<SkuInfo>> out = std::vector<SkuInfo>();
    if (!fail_get_skus.ok()) out = fail_get_skus;
    for (size_t i = 0; i < ids.size(); ++i) {
      const std::string& id = ids[i];
      if (out.ok() && !price.count(id) && unknown_fails_batch) {
        out = Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND", "no such sku", absl::StrCat("skuIds[", i, "]"));
      }
      if (!out.ok() || !price.count(id)) continue;
      SkuInfo sku;
      sku.sku_id = id;
      sku.product_id = product_of[id];
      sku.currency = "CNY";
      sku.list_price = price[id];
      auto member = tier_price.find({id, tier});
      sku.unit_price = member != tier_price.end() ? member->second : price[id];
      sku.price_rule = member != tier_price.end() ? "member:" + tier : "list";
      sku.on_shelf = !off_shelf.count(id);
      if (available.count(id)) sku.available = available[id];
      sku.weight_grams = weight_grams[id];
      sku.fragile = fragile[id];
      sku.category_id = category_of[id];
      sku.brand_id = brand_of[id];
      sku.category_path = category_path_of[id];
      out->push_back(std::move(sku));
    }
    if (defer_get_skus) {
      deferred_.push_back([done, out] { done(out); });
      deferred_changed_.notify_all();
      return;
    }
    lock.unlock();
    done(out);
  }
  void Reserve(const std::string& order_id, const std::vector<LineRequest>& lines, const ShippingAddress& ship_to,
               absl::Duration, Callback<std::vector<StockAllocation>> done) override {
    absl::Status reserved = ReserveNow(order_id, lines);
    if (!reserved.ok()) return done(reserved);
    if (!lose_reserve_answer.ok()) return done(lose_reserve_answer);
    std::vector<StockAllocation> allocations;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_ship_to = ship_to;
      for (const auto& line : lines) {
        auto it = warehouse_of.find(line.sku_id);
        const std::string warehouse = it == warehouse_of.end() ? "wh-1" : it->second;
        auto split = split_of.find(line.sku_id);
        if (split != split_of.end() && line.quantity > split->second.first) {
          allocations.push_back({line.sku_id, warehouse, split->second.first});
          allocations.push_back({line.sku_id, split->second.rest, line.quantity - split->second.first});
        } else {
          allocations.push_back({line.sku_id, warehouse, line.quantity});
        }
      }
    }
    done(allocations);
  }
  void Confirm(const std::string& order_id, StatusCallback done) override {
    if (!fail_confirm.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      calls.push_back("Confirm");
      return done(fail_confirm);
    }
    done(ConfirmNow(order_id));
  }
  void Release(const std::string& order_id, StatusCallback done) override { done(ReleaseNow(order_id, true)); }

  // Simulates the product service expiring a reservation on its own.
  void Expire(const std::string& order_id) { ReleaseNow(order_id, false).IgnoreError(); }
  // Reserves as the product service would for a caller that then crashed.
  absl::Status ReserveDirectly(const std::string& order_id, const std::vector<LineRequest>& lines) {
    return ReserveNow(order_id, lines, false);
  }

  // Waits until `count` GetSkus calls wait for their answer; false after `timeout`.
  bool AwaitDeferred(size_t count, absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return deferred_changed_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                                      [&] { return deferred_.size() >= count; });
  }
  // Answers the waiting GetSkus calls on the calling thread.
  void CompleteDeferred() {
    std::vector<std::function<void()>> answers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      answers.swap(deferred_);
    }
    for (auto& answer : answers) answer();
  }

 private:
  absl::Status ReserveNow(const std::string& order_id, const std::vector<LineRequest>& lines, bool record = true) {
    std::lock_guard<std::mutex> lock(mu_);
    if (record) calls.push_back("Reserve");
    if (!fail_reserve.ok()) return fail_reserve;
    if (held.count(order_id) || confirmed.count(order_id)) return absl::OkStatus();
    for (const auto& line : lines) {
      if (available[line.sku_id] < line.quantity) return FailedPrecondition("INSUFFICIENT_STOCK", line.sku_id);
    }
    for (const auto& line : lines) available[line.sku_id] -= line.quantity;
    held[order_id] = lines;
    return absl::OkStatus();
  }
  absl::Status ConfirmNow(const std::string& order_id) {
    std::lock_guard<std::mutex> lock(mu_);
    calls.push_back("Confirm");
    if (confirmed.count(order_id)) return absl::OkStatus();
    if (!held.count(order_id)) return FailedPrecondition("RESERVATION_EXPIRED", order_id);
    confirmed[order_id] = held[order_id];
    held.erase(order_id);
    return absl::OkStatus();
  }
  absl::Status ReleaseNow(const std::string& order_id, bool record) {
    std::lock_guard<std::mutex> lock(mu_);
    if (record) {
      calls.push_back("Release");
      if (!fail_release.ok()) return fail_release;
    }
    auto it = held.find(order_id);
    if (it == held.end()) return absl::OkStatus();
    for (const auto& line : it->second) available[line.sku_id] += line.quantity;
    held.erase(it);
    return absl::OkStatus();
  }

  std::mutex mu_;
  std::condition_variable deferred_changed_;
  std::vector<std::function<void()>> deferred_;
};

// No promotions: the quote is the plain sum; a coupon in `coupon_off` takes that much off, spread over the lines by
// their subtotal; any other coupon is unusable (COUPON_NOT_FOUND). Or a fixed failure. Completes inline.
class FakeQuoter : public PriceQuoter {
 public:
  absl::Status fail;
  std::vector<std::string>* calls = nullptr;
  std::map<std::string, int64_t> coupon_off;
  // Coupons whose template has a budget.
  std::set<std::string> coupon_budgeted;
  // An order promotion taken off the first line before the coupon, when set.
  std::optional<PromotionApplied> promotion;
  // Gift lines a buy-X-get-Y promotion adds to every quote, when set.
  std::vector<GiftLine> gifts;
  QuoteRequest last_request;

  void QuotePrice(const QuoteRequest& request, Callback<Quote> done) override {
    if (calls) calls->push_back("QuotePrice");
    last_request = request;
    if (!fail.ok()) return done(fail);
    Quote quote;
    std::vector<int64_t> subtotals;
    for (const auto& line : request.lines) {
      OrderLine out;
      out.sku_id = line.sku_id;
      out.quantity = line.quantity;
      out.unit_price = line.unit_price;
      out.subtotal = line.unit_price * line.quantity;
      quote.subtotal += out.subtotal;
      subtotals.push_back(out.subtotal);
      quote.lines.push_back(out);
    }
    quote.shares.resize(quote.lines.size());
    if (promotion.has_value() && !quote.lines.empty()) {
      int64_t off = std::min(promotion->discount, quote.lines[0].subtotal);
      quote.lines[0].discount = off;
      quote.shares[0].push_back({promotion->promotion_id, off});
      quote.discount = off;
      PromotionApplied applied = *promotion;
      applied.discount = off;
      quote.applied.push_back(applied);
      subtotals[0] -= off;
    }
    if (!request.coupon_id.empty()) {
      auto coupon = coupon_off.find(request.coupon_id);
      if (coupon == coupon_off.end()) {
        quote.not_applied.push_back({request.coupon_id, "", "COUPON_UNUSABLE", 0, 0, "COUPON_NOT_FOUND"});
      } else {
        int64_t off = std::min(coupon->second, quote.subtotal - quote.discount);
        std::vector<int64_t> parts = money::Apportion(off, subtotals);
        for (size_t i = 0; i < parts.size(); ++i) {
          quote.lines[i].discount += parts[i];
          quote.shares[i].push_back({request.coupon_id, parts[i]});
        }
        quote.discount += off;
        quote.applied.push_back({request.coupon_id, "coupon", off, coupon_budgeted.count(request.coupon_id) > 0});
      }
    }
    for (auto& line : quote.lines) line.total = line.subtotal - line.discount;
    quote.total = quote.subtotal - quote.discount;
    quote.gifts = gifts;
    done(quote);
  }
};

// Coupon locks keyed by order id, noted in the shared call journal.
class FakeCouponWallet : public CouponWallet {
 public:
  std::vector<std::string>* calls = nullptr;
  std::map<std::string, std::string> locked, redeemed;  // order id -> coupon id
  absl::Status fail_lock, fail_redeem, fail_release;

  // The lock names the coupon's template: "tpl-" and the coupon id.
  void Lock(const std::string& order_id, const std::string& coupon_id, Callback<LockedCoupon> done) override {
    absl::Status status = Record("LockCoupon", fail_lock);
    if (!status.ok()) return done(status);
    locked[order_id] = coupon_id;
    done(LockedCoupon{"tpl-" + coupon_id});
  }
  void Redeem(const std::string& order_id, StatusCallback done) override {
    absl::Status status = Record("RedeemCoupon", fail_redeem);
    if (status.ok() && locked.count(order_id)) {
      redeemed[order_id] = locked[order_id];
      locked.erase(order_id);
    }
    done(status);
  }
  void Release(const std::string& order_id, StatusCallback done) override {
    absl::Status status = Record("ReleaseCoupon", fail_release);
    if (status.ok()) locked.erase(order_id);
    done(status);
  }

 private:
  absl::Status Record(const char* call, const absl::Status& failure) {
    std::lock_guard<std::mutex> lock(mu_);
    if (calls) calls->push_back(call);
    return failure;
  }
  std::mutex mu_;
};

// Budgets keyed by order id, noted in the shared call journal: a charge is all or none, a released order cannot charge
// again, as marketing's ChargeBudgets/ReleaseBudgets behave. `remaining` limits a promotion's or template's budget
// (keyed by its id); ids not in it have no limit.
class FakeBudgets : public PromotionBudgets {
 public:
  std::vector<std::string>* calls = nullptr;
  std::map<std::string, int64_t> remaining;
  std::map<std::string, std::vector<BudgetCharge>> charged;  // order id -> what it holds
  std::set<std::string> released;                            // order ids
  absl::Status fail_charge, fail_release;
  int releases_failing = 0;  // the next releases fail, then they work again
  // The charge takes effect, then the call fails (a timeout after marketing did the work).
  bool fail_after_charge = false;

  void Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges, StatusCallback done) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (calls) calls->push_back("ChargeBudgets");
    if (!fail_charge.ok()) return Finish(lock, done, fail_charge);
    if (released.count(order_id)) {
      return Finish(lock, done, FailedPrecondition("ORDER_BUDGET_RELEASED", "released"));
    }
    if (!charged.count(order_id)) {
      for (const BudgetCharge& c : charges) {
        auto it = remaining.find(Owner(c));
        if (it != remaining.end() && it->second < c.amount) {
          return Finish(lock, done, FailedPrecondition("BUDGET_SPENT", "the budget of " + Owner(c) + " is spent"));
        }
      }
      for (const BudgetCharge& c : charges) {
        auto it = remaining.find(Owner(c));
        if (it != remaining.end()) it->second -= c.amount;
      }
      charged[order_id] = charges;
    }
    Finish(lock, done, fail_after_charge ? Unavailable("TIMEOUT", "deadline exceeded") : absl::OkStatus());
  }
  void Release(const std::string& order_id, StatusCallback done) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (calls) calls->push_back("ReleaseBudgets");
    if (!fail_release.ok()) return Finish(lock, done, fail_release);
    if (releases_failing > 0) {
      --releases_failing;
      return Finish(lock, done, Unavailable("DB_UNAVAILABLE", "marketing's database restarting"));
    }
    if (released.insert(order_id).second) {
      for (const BudgetCharge& c : charged[order_id]) {
        auto it = remaining.find(Owner(c));
        if (it != remaining.end()) it->second += c.amount;
      }
    }
    Finish(lock, done, absl::OkStatus());
  }
  // What `order_id` holds now: charged and not released.
  std::vector<BudgetCharge> Held(const std::string& order_id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (released.count(order_id) || !charged.count(order_id)) return {};
    return charged[order_id];
  }

 private:
  static std::string Owner(const BudgetCharge& c) {
    return c.promotion_id.empty() ? c.coupon_template_id : c.promotion_id;
  }
  static void Finish(std::unique_lock<std::mutex>& lock, const StatusCallback& done, absl::Status status) {
    lock.unlock();
    done(std::move(status));
  }
  std::mutex mu_;
};

// The carrier rules' fee for every parcel; remembers the parcels it was asked about.
class FakeShippingRates : public ShippingRates {
 public:
  std::optional<int64_t> ShippingFeeFor(const ParcelFacts& parcel) override {
    asked.push_back(parcel);
    return fee;
  }
  std::optional<int64_t> fee;
  std::vector<ParcelFacts> asked;
};

// One buyer's membership, address book and points holds keyed by order id, noted in the shared call journal.
class FakeUsers : public UserDirectory {
 public:
  std::vector<std::string>* calls = nullptr;
  Member member;
  std::map<std::string, ShippingAddress> addresses;
  std::map<std::string, int64_t> held, committed;  // order id -> points
  absl::Status fail_member, fail_address, fail_hold, fail_commit, fail_release;

  void GetMember(const std::string&, Callback<Member> done) override {
    absl::Status status = Record("GetMember", fail_member);
    if (!status.ok()) return done(status);
    done(member);
  }
  void GetAddress(const std::string& address_id, Callback<ShippingAddress> done) override {
    absl::Status status = Record("GetAddress", fail_address);
    if (!status.ok()) return done(status);
    auto it = addresses.find(address_id);
    if (it == addresses.end()) return done(NotFound("ADDRESS_NOT_FOUND", address_id));
    done(it->second);
  }
  void HoldPoints(const std::string& order_id, int64_t points, int64_t, const std::string&,
                  StatusCallback done) override {
    absl::Status status = Record("HoldPoints", fail_hold);
    if (status.ok()) held[order_id] = points;
    done(status);
  }
  void CommitPoints(const std::string& order_id, StatusCallback done) override {
    absl::Status status = Record("CommitPoints", fail_commit);
    if (status.ok() && held.count(order_id)) {
      committed[order_id] = held[order_id];
      held.erase(order_id);
    }
    done(status);
  }
  void ReleasePoints(const std::string& order_id, StatusCallback done) override {
    absl::Status status = Record("ReleasePoints", fail_release);
    if (status.ok()) held.erase(order_id);
    done(status);
  }

 private:
  absl::Status Record(const char* call, const absl::Status& failure) {
    std::lock_guard<std::mutex> lock(mu_);
    if (calls) calls->push_back(call);
    return failure;
  }
  std::mutex mu_;
};

// A worker pool of one thread, as the service's Executor is a worker pool: tasks run one at a time, in order.
class SingleThreadExecutor : public Executor {
 public:
  SingleThreadExecutor() : thread_([this] { Loop(); }) {}
  ~SingleThreadExecutor() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  void Run(std::function<void()> task) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    changed_.notify_all();
  }
  // Sleeps on the calling thread: no test here needs a worker free while a delayed task waits.
  void RunAfter(absl::Duration delay, std::function<void()> task) override {
    absl::SleepFor(delay);
    Run(std::move(task));
  }
  bool OnWorker() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      changed_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the fields it uses exist
};

class InMemoryOrderStore : public OrderStore {
 public:
  absl::Status fail_complete;
  std::map<std::string, bool> holds_released, paid_effects_applied;
  // When set, the placement writes (CompletePlacement, FailPlacement, MarkHoldsReleased) are noted here too, so a test
  // can see them in order with the calls to other services.
  std::vector<std::string>* journal = nullptr;
  // Called with each placement write's name, on the thread that writes.
  std::function<void(const std::string&)> on_write;

  absl::StatusOr<std::optional<Order>> BeginPlacement(const Order& draft, int max_open_orders = 0) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t open = 0;
    for (const auto& [id, order] : orders_) {
      if (order.user_id == draft.user_id && order.request_id == draft.request_id) return std::optional<Order>(order);
      if (order.user_id == draft.user_id && IsOpenUnpaid(order.status)) ++open;
    }
    RETURN_IF_ERROR(CheckOpenOrders(open, max_open_orders));
    orders_[draft.order_id] = draft;
    touched_[draft.order_id] = draft.created_at;
    return std::optional<Order>();
  }
  absl::Status CompletePlacement(const Order& order) override {
    std::lock_guard<std::mutex> lock(mu_);
    Note("CompletePlacement");
    if (!fail_complete.ok()) return fail_complete;
    orders_[order.order_id] = order;
    return absl::OkStatus();
  }
  absl::Status FailPlacement(const std::string& id, const absl::Status& error, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Note("FailPlacement");
    Order& order = orders_.at(id);
    if (order.status != OrderStatus::kCreating) return absl::OkStatus();
    order.status = OrderStatus::kFailed;
    order.failure_code = static_cast<int>(error.code());
    order.failure_reason = ReasonOf(error);
    order.failure_message = std::string(error.message());
    return absl::OkStatus();
  }
  absl::StatusOr<Order> Get(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = orders_.find(id);
    if (it == orders_.end()) return NotFound("ORDER_NOT_FOUND", id);
    return it->second;
  }
  absl::StatusOr<bool> HasPaidOrder(const std::string& user_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, order] : orders_) {
      if (order.user_id == user_id && IsPaidOrLater(order.status)) return true;
    }
    return false;
  }
  absl::StatusOr<OrderPage> ListByUser(const std::string& user_id, int limit, const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    OrderPage page;
    for (auto it = orders_.rbegin(); it != orders_.rend(); ++it) {
      if (it->second.user_id == user_id && IsVisible(it->second.status)) page.orders.push_back(it->second);
    }
    return page;
  }
  absl::StatusOr<bool> ClaimForPayment(const std::string& id, absl::Time now) override {
    return Move(id, OrderStatus::kPendingPayment, OrderStatus::kPaying, now);
  }
  absl::StatusOr<bool> MarkPaid(const Payment& payment) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!payments.count(payment.order_id)) payments[payment.order_id] = payment;
    Order& order = orders_.at(payment.order_id);
    if (order.status != OrderStatus::kPaying) return false;
    order.status = OrderStatus::kPaid;
    touched_[payment.order_id] = payment.paid_at;
    return true;
  }
  absl::StatusOr<bool> Cancel(const std::string& id, OrderStatus from, const std::string& reason,
                              absl::Time now) override {
    return Move(id, from, OrderStatus::kCancelled, now);
  }
  absl::Status MarkHoldsReleased(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Note("MarkHoldsReleased");
    holds_released[id] = true;
    return absl::OkStatus();
  }
  absl::Status MarkPaidEffectsApplied(const std::string& id, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Note("MarkPaidEffectsApplied");
    paid_effects_applied[id] = true;
    Order& order = orders_.at(id);
    if (order.status == OrderStatus::kPaid) {
      order.status = OrderStatus::kAwaitingShipment;
      touched_[id] = now;
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> ListStale(OrderStatus status, absl::Time before, int) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, order] : orders_) {
      if (order.status == status && touched_[id] < before) ids.push_back(id);
    }
    return ids;
  }
  absl::StatusOr<std::vector<std::string>> ListPaymentOverdue(absl::Time now, int) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, order] : orders_) {
      if (order.status == OrderStatus::kPendingPayment && order.pay_deadline <= now) ids.push_back(id);
    }
    return ids;
  }
  absl::StatusOr<std::vector<std::string>> ListUnreleased(int) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, order] : orders_) {
      if ((order.status == OrderStatus::kCancelled || order.status == OrderStatus::kFailed) && !holds_released[id]) {
        ids.push_back(id);
      }
    }
    return ids;
  }
  absl::StatusOr<std::vector<std::string>> ListPaidEffectsPending(absl::Time before, int) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, order] : orders_) {
      if (order.status == OrderStatus::kPaid && !paid_effects_applied[id] && touched_[id] < before) ids.push_back(id);
    }
    return ids;
  }

  std::map<std::string, Payment> payments;

  // `from` -> `to`; moving to PAYING only before the deadline. False when the order was not in `from`.
  bool Move(const std::string& id, OrderStatus from, OrderStatus to, absl::Time now) {
    std::lock_guard<std::mutex> lock(mu_);
    Order& order = orders_.at(id);
    if (order.status != from) return false;
    if (to == OrderStatus::kPaying && now >= order.pay_deadline) return false;
    order.status = to;
    touched_[id] = now;
    return true;
  }

 private:
  void Note(const char* write) {
    if (journal) journal->push_back(write);
    if (on_write) on_write(write);
  }

  std::mutex mu_;
  std::map<std::string, Order> orders_;
  std::map<std::string, absl::Time> touched_;
};

}  // namespace zhongtai::order::testing
