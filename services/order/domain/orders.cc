#include "services/order/domain/orders.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

constexpr int kSweepBatch = 100;
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
                             absl::StrCat("quantity must be at most ", max_quantity));
    }
    auto [it, inserted] = index_of.emplace(line.sku_id, merged.size());
    if (inserted) {
      merged.push_back(line);
    } else {
      merged[it->second].quantity += line.quantity;
      if (merged[it->second].quantity > max_quantity) {
        return InvalidArgument(LineField(i, "quantity"), "QUANTITY_TOO_LARGE",
                               absl::StrCat("quantity must be at most ", max_quantity));
      }
    }
  }
  return merged;
}

std::string RequestFingerprint(const std::vector<LineRequest>& normalized_lines, const std::string& channel) {
  std::vector<LineRequest> sorted = normalized_lines;
  std::sort(sorted.begin(), sorted.end(),
            [](const LineRequest& a, const LineRequest& b) { return a.sku_id < b.sku_id; });
  std::string fingerprint = absl::StrCat("v1|", channel);
  for (const LineRequest& line : sorted) absl::StrAppend(&fingerprint, "|", line.sku_id, "x", line.quantity);
  return fingerprint;
}

// What the placement saga has learned so far; shared by its steps until it finished.
struct Orders::Placement {
  Order order;
  std::vector<LineRequest> lines;  // normalized
  std::vector<PricedLine> priced;
  Quote quote;
  // Set once a reservation was asked for: from then on stock may be held for the order until it is released.
  bool stock_requested = false;
};

Orders::Orders(OrderStore& store, ProductCatalog& catalog, PriceQuoter& quoter, Clock& clock, IdGenerator& ids,
               OrderObserver& observer, Executor& blocking, OrderSettings settings)
    : store_(store),
      catalog_(catalog),
      quoter_(quoter),
      clock_(clock),
      ids_(ids),
      observer_(observer),
      blocking_(blocking),
      settings_(settings) {}

absl::StatusOr<std::shared_ptr<Orders::Placement>> Orders::NewPlacement(const PlaceOrderCommand& command) {
  if (command.user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (command.request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required");
  }
  auto placement = std::make_shared<Placement>();
  ASSIGN_OR_RETURN(placement->lines, NormalizeLines(command.lines, settings_.max_lines, settings_.max_quantity));
  static const std::set<std::string> kChannels = {"", "web", "app", "mini_program"};
  if (!kChannels.count(command.channel)) {
    return InvalidArgument("channel", "CHANNEL_UNKNOWN", "channel must be web, app or mini_program");
  }
  Order& draft = placement->order;
  draft.order_id = ids_.NewOrderId();
  draft.user_id = command.user_id;
  draft.request_id = command.request_id;
  draft.channel = command.channel.empty() ? "web" : command.channel;
  draft.request_fingerprint = RequestFingerprint(placement->lines, draft.channel);
  draft.created_at = clock_.Now();
  draft.status = OrderStatus::kCreating;
  return placement;
}

void Orders::PlaceOrder(const PlaceOrderCommand& command, Callback<Order> done) {
  absl::StatusOr<std::shared_ptr<Placement>> started = NewPlacement(command);
  if (!started.ok()) return done(started.status());
  std::shared_ptr<Placement> placement = *std::move(started);

  absl::StatusOr<std::optional<Order>> existing = store_.BeginPlacement(placement->order);
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

// The placement saga, in order. A step's undo runs, in reverse, when a later step fails; then the failure is recorded
// on the order (RecordFailedPlacement). A new step is a member function here plus, if it holds something, its undo;
// like the others it must be keyed by the order id, so that a retry or the sweeper can repeat it safely.
std::vector<Orders::PlacementSaga::Step> Orders::PlacementSteps() {
  auto step = [this](void (Orders::*run)(Placement&, StatusCallback)) {
    return [this, run](Placement& placement, StatusCallback done) { (this->*run)(placement, std::move(done)); };
  };
  std::vector<PlacementSaga::Step> steps;
  steps.push_back({"fetch prices (product)", step(&Orders::FetchPrices)});
  steps.push_back({"quote (marketing)", step(&Orders::QuotePrice)});
  // A failed or timed-out reserve may still have reserved on the product side: release either way.
  steps.push_back({"reserve stock (product)", step(&Orders::ReserveStock),
                   [this](Placement& placement, const absl::Status&, std::function<void()> done) {
                     ReleaseStock(placement.order.order_id, std::move(done));
                   },
                   /*undo_when_failed=*/true});
  steps.push_back({"write the order and its event (store)", [this](Placement& placement, StatusCallback done) {
                     async::Blocking<absl::Status>(
                         blocking_, [this, &placement] { return CompletePlacement(placement); }, std::move(done));
                   }});
  return steps;
}

void Orders::FetchPrices(Placement& placement, StatusCallback done) {
  std::vector<std::string> sku_ids;
  for (const LineRequest& line : placement.lines) sku_ids.push_back(line.sku_id);
  catalog_.GetSkus(sku_ids, [&placement, done = std::move(done)](absl::StatusOr<std::vector<SkuInfo>> skus) {
    if (!skus.ok()) return done(skus.status());
    std::map<std::string, SkuInfo> sku_by_id;
    for (const SkuInfo& sku : *skus) sku_by_id[sku.sku_id] = sku;
    const std::vector<LineRequest>& lines = placement.lines;
    for (size_t i = 0; i < lines.size(); ++i) {
      auto it = sku_by_id.find(lines[i].sku_id);
      if (it == sku_by_id.end()) {
        return done(Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND",
                          absl::StrCat("sku ", lines[i].sku_id, " does not exist"), LineField(i, "skuId")));
      }
      if (i == 0) placement.order.currency = it->second.currency;
      placement.priced.push_back({lines[i].sku_id, lines[i].quantity, it->second.unit_price, it->second.currency});
    }
    done(absl::OkStatus());
  });
}

void Orders::QuotePrice(Placement& placement, StatusCallback done) {
  quoter_.QuotePrice(placement.order.user_id, placement.priced,
                     [&placement, done = std::move(done)](absl::StatusOr<Quote> quote) {
                       if (!quote.ok()) return done(quote.status());
                       placement.quote = *std::move(quote);
                       done(absl::OkStatus());
                     });
}

void Orders::ReserveStock(Placement& placement, StatusCallback done) {
  placement.stock_requested = true;
  catalog_.Reserve(placement.order.order_id, placement.lines, settings_.payment_timeout + settings_.reservation_grace,
                   std::move(done));
}

absl::Status Orders::CompletePlacement(Placement& placement) {
  absl::Time now = clock_.Now();
  Order& order = placement.order;
  order.lines = placement.quote.lines;
  order.subtotal = placement.quote.subtotal;
  order.discount = placement.quote.discount;
  order.total = placement.quote.total;
  order.status = OrderStatus::kPendingPayment;
  order.pay_deadline = now + settings_.payment_timeout;
  order.history.push_back({OrderStatus::kPendingPayment, now, "placed"});
  return store_.CompletePlacement(order);
}

void Orders::RecordFailedPlacement(const Placement& placement, const absl::Status& error) {
  const std::string& order_id = placement.order.order_id;
  absl::Status recorded = store_.FailPlacement(order_id, error, clock_.Now());
  // Nothing was reserved: no stock is owed back.
  if (recorded.ok() && !placement.stock_requested) recorded = store_.MarkStockReleased(order_id);
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
    return done(
        Error(static_cast<absl::StatusCode>(current.failure_code), current.failure_reason, current.failure_message));
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

absl::StatusOr<Order> Orders::GetOrder(const std::string& user_id, const std::string& order_id) {
  return LoadOwnOrder(store_, user_id, order_id);
}

absl::StatusOr<OrderPage> Orders::ListOrders(const std::string& user_id, int page_size, const std::string& page_token) {
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  if (page_size == 0) page_size = 20;
  page_size = std::min(page_size, 100);
  return store_.ListByUser(user_id, page_size, page_token);
}

void Orders::CancelOrder(const std::string& user_id, const std::string& order_id, const std::string& reason,
                         Callback<Order> done) {
  absl::StatusOr<Order> order = LoadOwnOrder(store_, user_id, order_id);
  if (!order.ok()) return done(order.status());
  CancelAttempt(*std::move(order), reason.empty() ? "CANCELLED_BY_BUYER" : reason, 0, std::move(done));
}

void Orders::CancelAttempt(Order order, const std::string& reason, int attempt, Callback<Order> done) {
  const std::string order_id = order.order_id;
  switch (order.status) {
    case OrderStatus::kCancelled: return done(order);
    case OrderStatus::kPaid:
      return done(FailedPrecondition("ORDER_ALREADY_PAID", "a paid order cannot be cancelled here; request a return"));
    case OrderStatus::kPaying: return done(FailedPrecondition("PAYMENT_IN_PROGRESS", "the order is being paid"));
    case OrderStatus::kPendingPayment: {
      absl::StatusOr<bool> cancelled = store_.Cancel(order_id, OrderStatus::kPendingPayment, reason, clock_.Now());
      if (!cancelled.ok()) return done(cancelled.status());
      if (*cancelled) {
        ReleaseStock(order_id, [this, order_id, done = std::move(done)] { done(store_.Get(order_id)); });
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
  ReleaseStock(order_id, [done = std::move(done)] { done(absl::OkStatus()); });
}

void Orders::ReleaseStock(const std::string& order_id, std::function<void()> done) {
  catalog_.Release(order_id,
                   async::On<absl::Status>(blocking_, [this, order_id, done = std::move(done)](absl::Status released) {
                     if (released.ok()) released = store_.MarkStockReleased(order_id);
                     if (!released.ok()) {
                       log::Warn("stock release failed; the sweeper will retry",
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
      // FailPlacement owes the stock back; the release below (or a later pass) returns it.
      if (store_.FailPlacement(id, Unavailable("SAGA_INTERRUPTED", "placing the order was interrupted; retry"), now)
              .ok()) {
        ++touched;
      }
    }
  }
  if (auto unreleased = store_.ListUnreleased(kSweepBatch); unreleased.ok()) {
    for (const std::string& id : *unreleased) {
      async::Await<bool>([&](std::function<void(bool)> done) { ReleaseStock(id, [done] { done(true); }); });
      ++touched;
    }
  }
  return touched;
}

}  // namespace zhongtai::order
