#include "services/order/domain/orders.h"

#include <algorithm>
#include <functional>
#include <map>
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

Orders::Orders(OrderStore& store, ProductCatalog& catalog, PriceQuoter& quoter, PaymentProvider& payments, Clock& clock,
               IdGenerator& ids, OrderObserver& observer, OrderSettings settings)
    : store_(store),
      catalog_(catalog),
      quoter_(quoter),
      payments_(payments),
      clock_(clock),
      ids_(ids),
      observer_(observer),
      settings_(settings) {}

absl::StatusOr<Order> Orders::PlaceOrder(const PlaceOrderCommand& command) {
  if (command.user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (command.request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required");
  }
  ASSIGN_OR_RETURN(std::vector<LineRequest> lines,
                   NormalizeLines(command.lines, settings_.max_lines, settings_.max_quantity));
  static const std::set<std::string> kChannels = {"", "web", "app", "mini_program"};
  if (!kChannels.count(command.channel)) {
    return InvalidArgument("channel", "CHANNEL_UNKNOWN", "channel must be web, app or mini_program");
  }
  Order draft;
  draft.order_id = ids_.NewOrderId();
  draft.user_id = command.user_id;
  draft.request_id = command.request_id;
  draft.channel = command.channel.empty() ? "web" : command.channel;
  draft.request_fingerprint = RequestFingerprint(lines, draft.channel);
  draft.created_at = clock_.Now();
  draft.status = OrderStatus::kCreating;

  ASSIGN_OR_RETURN(std::optional<Order> existing, store_.BeginPlacement(draft));
  if (existing.has_value()) return ReplayPlacement(*existing, draft.request_fingerprint);

  absl::StatusOr<Order> placed = RunPlacementSaga(std::move(draft), lines);
  if (placed.ok()) {
    observer_.OrderPlaced(placed->channel);
  } else {
    std::string reason = ReasonOf(placed.status());
    observer_.PlacementFailed(reason.empty() ? "UNKNOWN" : reason);
  }
  return placed;
}

absl::StatusOr<Order> Orders::RunPlacementSaga(Order order, const std::vector<LineRequest>& lines) {
  // Compensations of the finished steps, run in reverse when a later step fails.
  std::vector<std::function<void()>> undo;
  auto fail = [&](absl::Status error) -> absl::Status {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) (*it)();
    absl::Status recorded = store_.FailPlacement(order.order_id, error, clock_.Now());
    // Nothing was reserved: no stock is owed back.
    if (recorded.ok() && undo.empty()) recorded = store_.MarkStockReleased(order.order_id);
    if (!recorded.ok()) {
      log::Error("could not record a failed placement; the sweeper will retry",
                 {{"order_id", order.order_id}, {"error", recorded.ToString()}});
    }
    return error;
  };

  std::vector<std::string> sku_ids;
  for (const LineRequest& line : lines) sku_ids.push_back(line.sku_id);
  absl::StatusOr<std::vector<SkuInfo>> skus = catalog_.GetSkus(sku_ids);
  if (!skus.ok()) return fail(skus.status());
  std::map<std::string, SkuInfo> sku_by_id;
  for (const SkuInfo& sku : *skus) sku_by_id[sku.sku_id] = sku;

  std::vector<PricedLine> priced;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto it = sku_by_id.find(lines[i].sku_id);
    if (it == sku_by_id.end()) {
      return fail(Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND",
                        absl::StrCat("sku ", lines[i].sku_id, " does not exist"), LineField(i, "skuId")));
    }
    if (i == 0) order.currency = it->second.currency;
    priced.push_back({lines[i].sku_id, lines[i].quantity, it->second.unit_price, it->second.currency});
  }

  absl::StatusOr<Quote> quote = quoter_.QuotePrice(order.user_id, priced);
  if (!quote.ok()) return fail(quote.status());

  // A failed or timed-out reserve may still have reserved on the product side: release either way.
  undo.push_back([&] { ReleaseStock(order.order_id); });
  absl::Status reserved =
      catalog_.Reserve(order.order_id, lines, settings_.payment_timeout + settings_.reservation_grace);
  if (!reserved.ok()) return fail(reserved);

  absl::Time now = clock_.Now();
  order.lines = quote->lines;
  order.subtotal = quote->subtotal;
  order.discount = quote->discount;
  order.total = quote->total;
  order.status = OrderStatus::kPendingPayment;
  order.pay_deadline = now + settings_.payment_timeout;
  order.history.push_back({OrderStatus::kPendingPayment, now, "placed"});
  absl::Status completed = store_.CompletePlacement(order);
  if (!completed.ok()) return fail(completed);
  return order;
}

absl::StatusOr<Order> Orders::ReplayPlacement(const Order& existing, const std::string& fingerprint) {
  if (existing.request_fingerprint != fingerprint) {
    return AlreadyExists("IDEMPOTENCY_KEY_REUSED", "this idempotency key was used for a different order");
  }
  Order current = existing;
  absl::Time give_up = absl::Now() + settings_.duplicate_wait;
  while (current.status == OrderStatus::kCreating) {
    if (absl::Now() >= give_up) {
      return Aborted("ORDER_IN_PROGRESS", "the first request with this idempotency key is still running; retry");
    }
    absl::SleepFor(kDuplicatePoll);
    ASSIGN_OR_RETURN(current, store_.Get(existing.order_id));
  }
  if (current.status == OrderStatus::kFailed) {
    return Error(static_cast<absl::StatusCode>(current.failure_code), current.failure_reason, current.failure_message);
  }
  return current;
}

absl::StatusOr<Order> Orders::LoadOwnOrder(const std::string& user_id, const std::string& order_id) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  absl::StatusOr<Order> order = store_.Get(order_id);
  // Another user's order answers exactly like a missing one.
  if ((!order.ok() && order.status().code() == absl::StatusCode::kNotFound) ||
      (order.ok() && (order->user_id != user_id || !IsVisible(order->status)))) {
    return NotFound("ORDER_NOT_FOUND", "no such order");
  }
  return order;
}

absl::StatusOr<Order> Orders::GetOrder(const std::string& user_id, const std::string& order_id) {
  return LoadOwnOrder(user_id, order_id);
}

absl::StatusOr<OrderPage> Orders::ListOrders(const std::string& user_id, int page_size, const std::string& page_token) {
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  if (page_size == 0) page_size = 20;
  page_size = std::min(page_size, 100);
  return store_.ListByUser(user_id, page_size, page_token);
}

absl::StatusOr<Order> Orders::PayOrder(const std::string& user_id, const std::string& order_id) {
  ASSIGN_OR_RETURN(Order order, LoadOwnOrder(user_id, order_id));
  for (int attempt = 0; attempt < 3; ++attempt) {
    switch (order.status) {
      case OrderStatus::kPaid: return order;  // a double click on "pay" sees the paid order
      case OrderStatus::kCancelled: return FailedPrecondition("ORDER_CANCELLED", "the order was cancelled");
      case OrderStatus::kPaying: return FinishPayment(order_id);  // every payment step is idempotent
      case OrderStatus::kPendingPayment: {
        absl::Time now = clock_.Now();
        if (now >= order.pay_deadline) {
          RETURN_IF_ERROR(CancelAndRelease(order_id, OrderStatus::kPendingPayment, "PAYMENT_TIMEOUT"));
          observer_.PaymentFinished("deadline_passed");
          return FailedPrecondition("PAYMENT_DEADLINE_PASSED", "the order was not paid in time and was cancelled");
        }
        ASSIGN_OR_RETURN(bool claimed, store_.ClaimForPayment(order_id, now));
        if (claimed) return FinishPayment(order_id);
        break;  // someone changed it meanwhile: look again
      }
      default: return NotFound("ORDER_NOT_FOUND", "no such order");
    }
    ASSIGN_OR_RETURN(order, store_.Get(order_id));
  }
  return Aborted("ORDER_CHANGED", "the order changed while paying; retry");
}

absl::StatusOr<Order> Orders::FinishPayment(const std::string& order_id) {
  ASSIGN_OR_RETURN(Order order, store_.Get(order_id));
  absl::Status confirmed = catalog_.Confirm(order_id);
  if (confirmed.code() == absl::StatusCode::kFailedPrecondition) {
    // The reservation expired or was released: the goods are gone, so the order cannot be paid.
    RETURN_IF_ERROR(CancelAndRelease(order_id, OrderStatus::kPaying, "RESERVATION_EXPIRED"));
    observer_.PaymentFinished("reservation_expired");
    return FailedPrecondition("RESERVATION_EXPIRED", "the stock held for this order expired");
  }
  if (!confirmed.ok()) {
    observer_.PaymentFinished("error");
    return confirmed;  // stays PAYING; a retry or the sweeper finishes it
  }
  absl::Status charged = payments_.Charge(order_id, order.total, order.currency);
  if (!charged.ok()) {
    observer_.PaymentFinished("declined");
    return charged;
  }
  Payment payment;
  payment.payment_id = ids_.NewPaymentId();
  payment.order_id = order_id;
  payment.amount = order.total;
  payment.currency = order.currency;
  payment.provider = payments_.name();
  payment.paid_at = clock_.Now();
  ASSIGN_OR_RETURN(bool marked, store_.MarkPaid(payment));
  if (marked) observer_.PaymentFinished("succeeded");
  ASSIGN_OR_RETURN(Order paid, store_.Get(order_id));
  if (paid.status != OrderStatus::kPaid) return Aborted("ORDER_CHANGED", "the order changed while paying; retry");
  return paid;
}

absl::StatusOr<Order> Orders::CancelOrder(const std::string& user_id, const std::string& order_id,
                                          const std::string& reason) {
  ASSIGN_OR_RETURN(Order order, LoadOwnOrder(user_id, order_id));
  for (int attempt = 0; attempt < 3; ++attempt) {
    switch (order.status) {
      case OrderStatus::kCancelled: return order;
      case OrderStatus::kPaid:
        return FailedPrecondition("ORDER_ALREADY_PAID", "a paid order cannot be cancelled here; request a return");
      case OrderStatus::kPaying: return FailedPrecondition("PAYMENT_IN_PROGRESS", "the order is being paid");
      case OrderStatus::kPendingPayment: {
        ASSIGN_OR_RETURN(bool cancelled, store_.Cancel(order_id, OrderStatus::kPendingPayment,
                                                       reason.empty() ? "CANCELLED_BY_BUYER" : reason, clock_.Now()));
        if (cancelled) {
          ReleaseStock(order_id);
          return store_.Get(order_id);
        }
        break;
      }
      default: return NotFound("ORDER_NOT_FOUND", "no such order");
    }
    ASSIGN_OR_RETURN(order, store_.Get(order_id));
  }
  return Aborted("ORDER_CHANGED", "the order changed while cancelling; retry");
}

absl::Status Orders::CancelAndRelease(const std::string& order_id, OrderStatus from, const std::string& reason) {
  ASSIGN_OR_RETURN(bool cancelled, store_.Cancel(order_id, from, reason, clock_.Now()));
  if (cancelled) ReleaseStock(order_id);
  return absl::OkStatus();
}

void Orders::ReleaseStock(const std::string& order_id) {
  absl::Status released = catalog_.Release(order_id);
  if (released.ok()) released = store_.MarkStockReleased(order_id);
  if (!released.ok()) {
    log::Warn("stock release failed; the sweeper will retry", {{"order_id", order_id}, {"error", released.ToString()}});
  }
}

int Orders::SweepOnce() {
  int touched = 0;
  absl::Time now = clock_.Now();
  if (auto overdue = store_.ListPaymentOverdue(now, kSweepBatch); overdue.ok()) {
    for (const std::string& id : *overdue) {
      if (CancelAndRelease(id, OrderStatus::kPendingPayment, "PAYMENT_TIMEOUT").ok()) ++touched;
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
  if (auto paying = store_.ListStale(OrderStatus::kPaying, now - settings_.stale_after, kSweepBatch); paying.ok()) {
    for (const std::string& id : *paying) {
      if (FinishPayment(id).ok()) ++touched;
    }
  }
  if (auto unreleased = store_.ListUnreleased(kSweepBatch); unreleased.ok()) {
    for (const std::string& id : *unreleased) {
      ReleaseStock(id);
      ++touched;
    }
  }
  return touched;
}

}  // namespace zhongtai::order
