#include <string>
#include <vector>

#include "common/async/all.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/order/domain/orders.h"

// Orders after their placement (orders.cc places them): the buyer's reads, the paid effects, cancellation with the
// release of what the order held, and the sweep that finishes what a crash or a timeout left.
namespace zhongtai::order {
namespace {

constexpr int kSweepBatch = 100;

}  // namespace

absl::StatusOr<Order> Orders::GetOrder(const std::string& user_id, const std::string& order_id) {
  return LoadOwnOrder(store_, user_id, order_id);
}

absl::StatusOr<OrderPage> Orders::ListOrders(const std::string& user_id, int page_size, const std::string& page_token) {
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  if (page_size == 0) page_size = 20;
  page_size = std::min(page_size, 100);
  return store_.ListByUser(user_id, page_size, page_token);
}

void Orders::ApplyPaid(const Order& paid, bool stock_confirmed, StatusCallback done) {
  const std::string order_id = paid.order_id;
  std::vector<async::Operation> effects;
  if (!stock_confirmed) {
    effects.push_back([this, order_id](StatusCallback confirmed) { catalog_.Confirm(order_id, std::move(confirmed)); });
  }
  if (!paid.coupon_id.empty()) {
    effects.push_back([this, order_id](StatusCallback redeemed) { coupons_.Redeem(order_id, std::move(redeemed)); });
  }
  if (paid.points_used > 0) {
    effects.push_back(
        [this, order_id](StatusCallback committed) { users_.CommitPoints(order_id, std::move(committed)); });
  }
  async::All(std::move(effects),
             async::On<absl::Status>(blocking_, [this, order_id, done = std::move(done)](absl::Status applied) {
               if (applied.ok()) applied = store_.MarkPaidEffectsApplied(order_id, clock_.Now());
               if (!applied.ok()) {
                 log::Error("applying a paid order's effects failed; the sweeper will retry",
                            {{"order_id", order_id}, {"error", applied.ToString()}});
               }
               done(applied);
             }));
}

void Orders::CancelOrder(const std::string& user_id, const std::string& order_id, const std::string& reason,
                         Callback<Order> done) {
  absl::StatusOr<Order> order = LoadOwnOrder(store_, user_id, order_id);
  if (!order.ok()) return done(order.status());
  CancelAttempt(*std::move(order), reason.empty() ? "CANCELLED_BY_BUYER" : reason, 0, std::move(done));
}

void Orders::CancelAttempt(Order order, const std::string& reason, int attempt, Callback<Order> done) {
  const std::string order_id = order.order_id;
  if (IsPaidOrLater(order.status)) {
    return done(FailedPrecondition("ORDER_ALREADY_PAID", "a paid order cannot be cancelled here; request a return"));
  }
  switch (order.status) {
    case OrderStatus::kCancelled: return done(order);
    case OrderStatus::kPaying: return done(FailedPrecondition("PAYMENT_IN_PROGRESS", "the order is being paid"));
    case OrderStatus::kPendingPayment: {
      absl::StatusOr<bool> cancelled = store_.Cancel(order_id, OrderStatus::kPendingPayment, reason, clock_.Now());
      if (!cancelled.ok()) return done(cancelled.status());
      if (*cancelled) {
        ReleaseHolds(order_id, !order.coupon_id.empty(), order.points_used > 0, MayHoldBudgets(order),
                     [this, order_id, done = std::move(done)] { done(store_.Get(order_id)); });
        return;
      }
      break;
    }
    default: return done(NotFound("ORDER_NOT_FOUND", "no such order"));
  }
  if (attempt + 1 >= 3) return done(Aborted("ORDER_CHANGED", "the order changed while cancelling; retry"));
  absl::StatusOr<Order> reloaded = store_.Get(order_id);
  if (!reloaded.ok()) return done(reloaded.status());
  CancelAttempt(*std::move(reloaded), reason, attempt + 1, std::move(done));
}

void Orders::CancelAndRelease(const std::string& order_id, OrderStatus from, const std::string& reason,
                              StatusCallback done) {
  absl::StatusOr<bool> cancelled = store_.Cancel(order_id, from, reason, clock_.Now());
  if (!cancelled.ok()) return done(cancelled.status());
  if (!*cancelled) return done(absl::OkStatus());
  ReleaseHoldsOf(order_id, [done = std::move(done)] { done(absl::OkStatus()); });
}

void Orders::ReleaseHoldsOf(const std::string& order_id, std::function<void()> done) {
  absl::StatusOr<Order> order = store_.Get(order_id);
  if (!order.ok()) {
    log::Warn("could not read an order to release its holds; the sweeper will retry",
              {{"order_id", order_id}, {"error", order.status().ToString()}});
    return done();
  }
  ReleaseHolds(order_id, !order->coupon_id.empty(), order->points_used > 0, MayHoldBudgets(*order), std::move(done));
}

void Orders::ReleaseHolds(const std::string& order_id, bool has_coupon, bool uses_points, bool charged_budgets,
                          std::function<void()> done) {
  std::vector<async::Operation> releases;
  releases.push_back([this, order_id](StatusCallback released) { catalog_.Release(order_id, std::move(released)); });
  if (has_coupon) {
    releases.push_back([this, order_id](StatusCallback released) { coupons_.Release(order_id, std::move(released)); });
  }
  if (charged_budgets) {
    releases.push_back([this, order_id](StatusCallback released) { budgets_.Release(order_id, std::move(released)); });
  }
  if (uses_points) {
    releases.push_back(
        [this, order_id](StatusCallback released) { users_.ReleasePoints(order_id, std::move(released)); });
  }
  async::All(std::move(releases),
             async::On<absl::Status>(blocking_, [this, order_id, done = std::move(done)](absl::Status released) {
               if (released.ok()) released = store_.MarkHoldsReleased(order_id);
               if (!released.ok()) {
                 log::Warn("releasing an order's holds failed; the sweeper will retry",
                           {{"order_id", order_id}, {"error", released.ToString()}});
               }
               done();
             }));
}

int Orders::SweepOnce() {
  int touched = 0;
  absl::Time now = clock_.Now();
  if (auto overdue = store_.ListPaymentOverdue(now, kSweepBatch); overdue.ok()) {
    for (const std::string& id : *overdue) {
      absl::Status cancelled = async::Await<absl::Status>([&](StatusCallback done) {
        CancelAndRelease(id, OrderStatus::kPendingPayment, "PAYMENT_TIMEOUT", std::move(done));
      });
      if (cancelled.ok()) ++touched;
    }
  }
  if (auto interrupted = store_.ListStale(OrderStatus::kCreating, now - settings_.stale_after, kSweepBatch);
      interrupted.ok()) {
    for (const std::string& id : *interrupted) {
      // FailPlacement owes the holds back; the release below (or a later pass) returns them.
      if (store_.FailPlacement(id, Unavailable("SAGA_INTERRUPTED", "placing the order was interrupted; retry"), now)
              .ok()) {
        ++touched;
      }
    }
  }
  if (auto unreleased = store_.ListUnreleased(kSweepBatch); unreleased.ok()) {
    for (const std::string& id : *unreleased) {
      async::Await<bool>([&](std::function<void(bool)> done) { ReleaseHoldsOf(id, [done] { done(true); }); });
      ++touched;
    }
  }
  if (auto pending = store_.ListPaidEffectsPending(now - settings_.stale_after, kSweepBatch); pending.ok()) {
    for (const std::string& id : *pending) {
      absl::StatusOr<Order> paid = store_.Get(id);
      if (!paid.ok()) continue;
      absl::Status applied =
          async::Await<absl::Status>([&](StatusCallback done) { ApplyPaid(*paid, false, std::move(done)); });
      if (applied.ok()) ++touched;
    }
  }
  return touched;
}

}  // namespace zhongtai::order
