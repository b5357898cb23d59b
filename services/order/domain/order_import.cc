#include "services/order/domain/order_import.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/money/apportion.h"
#include "common/status/status.h"
#include "services/order/domain/orders.h"
#include "services/order/domain/split.h"

namespace zhongtai::order {
namespace {

constexpr size_t kMaxExternalIdLength = 64;
constexpr absl::Duration kDuplicatePoll = absl::Milliseconds(50);
// A claim can move to a new order at most this often per import call (a failed order retried).
constexpr int kMaxReclaims = 3;
// Steps of Advance another call may win before this one gives up.
constexpr int kMaxAdvanceRaces = 3;

bool IdCharactersOk(const std::string& id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

bool IsMarketplace(const std::string& channel) {
  return channel == "tmall" || channel == "jd" || channel == "pinduoduo" || channel == "douyin";
}

absl::Status ValidateImport(const ImportOrderCommand& command, int max_lines, int64_t max_quantity) {
  if (!IsMarketplace(command.channel)) {
    return InvalidArgument("channel", "CHANNEL_NOT_MARKETPLACE",
                           "channel must be a marketplace: tmall, jd, pinduoduo or douyin");
  }
  if (command.external_order_id.empty()) {
    return InvalidArgument("externalOrderId", "EXTERNAL_ORDER_ID_MISSING", "the marketplace's order id is required");
  }
  if (command.external_order_id.size() > kMaxExternalIdLength || !IdCharactersOk(command.external_order_id)) {
    return InvalidArgument("externalOrderId", "EXTERNAL_ORDER_ID_INVALID",
                           "the marketplace's order id has at most 64 letters, digits, '-', '_' or '.'");
  }
  if (command.buyer_id.empty()) {
    return InvalidArgument("buyerId", "BUYER_ID_MISSING", "the marketplace's buyer id is required");
  }
  if (command.buyer_id.size() > kMaxExternalIdLength) {
    return InvalidArgument("buyerId", "BUYER_ID_INVALID", "buyer id is too long");
  }
  std::vector<LineRequest> requested;
  for (const ImportedLine& line : command.lines) requested.push_back({line.sku_id, line.quantity});
  // The same line rules as a placement, but repeated SKUs are refused: each marketplace line keeps its own price.
  ASSIGN_OR_RETURN(std::vector<LineRequest> merged, NormalizeLines(requested, max_lines, max_quantity));
  if (merged.size() != requested.size()) {
    return InvalidArgument("lines", "SKU_REPEATED", "each SKU may appear on one line only");
  }
  int64_t subtotal = 0;
  for (size_t i = 0; i < command.lines.size(); ++i) {
    const ImportedLine& line = command.lines[i];
    if (line.unit_price < 0) {
      return InvalidArgument(absl::StrCat("lines[", i, "].unitPrice"), "IMPORT_AMOUNT_INVALID",
                             "unit price must not be negative");
    }
    if (line.unit_price > 1'000'000'000) {
      return InvalidArgument(absl::StrCat("lines[", i, "].unitPrice"), "IMPORT_AMOUNT_INVALID",
                             "unit price must be at most 10000000.00");
    }
    subtotal += line.unit_price * line.quantity;
  }
  if (command.discount < 0)
    return InvalidArgument("discount", "IMPORT_AMOUNT_INVALID", "discount must not be negative");
  if (command.shipping_fee < 0 || command.shipping_fee > 1'000'000'000) {
    return InvalidArgument("shippingFee", "IMPORT_AMOUNT_INVALID", "shipping fee must be 0 to 10000000.00");
  }
  if (command.discount > subtotal) {
    return InvalidArgument("discount", "DISCOUNT_TOO_LARGE", "discount must not exceed the lines' subtotal");
  }
  if (command.paid_amount != subtotal - command.discount + command.shipping_fee) {
    return InvalidArgument("paidAmount", "PAID_AMOUNT_MISMATCH",
                           absl::StrCat("paid amount must equal lines - discount + shipping fee (",
                                        subtotal - command.discount + command.shipping_fee, ")"));
  }
  if (command.address.province_code.empty() || command.address.detail.empty() ||
      command.address.recipient_name.empty()) {
    return InvalidArgument("shippingAddress", "SHIPPING_ADDRESS_MISSING",
                           "an imported order needs the recipient, province and address it ships to");
  }
  return absl::OkStatus();
}

std::string ImportedBuyerId(const ImportOrderCommand& command) {
  return absl::StrCat(command.channel, ":", command.buyer_id);
}

void PriceImport(const ImportOrderCommand& command, Order& order) {
  order.lines.clear();
  std::vector<int64_t> subtotals;
  order.subtotal = 0;
  for (const ImportedLine& in : command.lines) {
    OrderLine line;
    line.sku_id = in.sku_id;
    line.quantity = in.quantity;
    line.unit_price = in.unit_price;
    line.list_price = in.unit_price;
    line.price_rule = absl::StrCat("marketplace:", command.channel);
    line.subtotal = in.unit_price * in.quantity;
    order.subtotal += line.subtotal;
    subtotals.push_back(line.subtotal);
    order.lines.push_back(line);
  }
  std::vector<int64_t> shares = money::Apportion(command.discount, subtotals);
  for (size_t i = 0; i < order.lines.size(); ++i) {
    order.lines[i].discount = i < shares.size() ? shares[i] : 0;
    order.lines[i].total = order.lines[i].subtotal - order.lines[i].discount;
  }
  order.currency = command.currency;
  order.discount = command.discount;
  order.shipping_fee = command.shipping_fee;
  order.points_used = 0;
  order.points_deduction = 0;
  order.total = order.subtotal - order.discount + order.shipping_fee;
}

OrderImports::OrderImports(OrderStore& orders, OrderImportStore& imports, ProductCatalog& catalog, Clock& clock,
                           IdGenerator& ids, Executor& blocking, ImportSettings settings)
    : orders_(orders),
      imports_(imports),
      catalog_(catalog),
      clock_(clock),
      ids_(ids),
      blocking_(blocking),
      settings_(settings) {}

void OrderImports::Import(const ImportOrderCommand& command, Callback<ImportResult> done) {
  absl::Status valid = ValidateImport(command, settings_.max_lines, settings_.max_quantity);
  if (!valid.ok()) return done(valid);
  absl::StatusOr<std::string> order_id = BeginDraft(command);
  if (!order_id.ok()) return done(order_id.status());
  absl::StatusOr<std::string> holder =
      imports_.Claim(command.channel, command.external_order_id, *order_id, clock_.Now());
  if (!holder.ok()) return done(holder.status());
  if (*holder == *order_id) return Start(command, *order_id, std::move(done));
  DropDraft(*order_id);
  Replay(command, *holder, absl::Now() + settings_.duplicate_wait, 0, std::move(done));
}

// The order row is written before the claim names it, so the order a claim names always exists: a repeat never meets a
// claim without its order, and an import that dies after claiming leaves a CREATING order the sweeper fails.
absl::StatusOr<std::string> OrderImports::BeginDraft(const ImportOrderCommand& command) {
  Order draft;
  draft.order_id = ids_.NewOrderId();
  draft.user_id = ImportedBuyerId(command);
  // Unique per order: a retry after a failure is a new order under the same claim.
  draft.request_id = absl::StrCat("import:", draft.order_id);
  draft.request_fingerprint = absl::StrCat("import|", command.channel, "|", command.external_order_id);
  draft.channel = command.channel;
  draft.currency = command.currency;
  draft.created_at = clock_.Now();
  absl::StatusOr<std::optional<Order>> begun = orders_.BeginPlacement(draft);
  if (!begun.ok()) return begun.status();
  return draft.order_id;
}

// A draft that lost the claim held nothing: it fails at once (never shown to anyone).
void OrderImports::DropDraft(const std::string& order_id) {
  absl::Status dropped = orders_.FailPlacement(
      order_id, Aborted("IMPORT_IN_PROGRESS", "another import of this marketplace order holds it"), clock_.Now());
  if (dropped.ok()) dropped = orders_.MarkHoldsReleased(order_id);
  if (!dropped.ok()) {
    log::Warn("a duplicate import's draft could not be dropped; the sweeper will fail it",
              {{"order_id", order_id}, {"error", dropped.ToString()}});
  }
}

void OrderImports::Start(const ImportOrderCommand& command, const std::string& order_id, Callback<ImportResult> done) {
  absl::StatusOr<Order> draft = orders_.Get(order_id);
  if (!draft.ok()) return done(draft.status());
  std::vector<LineRequest> lines;
  for (const ImportedLine& line : command.lines) lines.push_back({line.sku_id, line.quantity});
  catalog_.Reserve(
      order_id, lines, command.address, settings_.reservation_ttl,
      async::On<absl::StatusOr<std::vector<StockAllocation>>>(
          blocking_,
          [this, command, draft = *std::move(draft), done](absl::StatusOr<std::vector<StockAllocation>> allocations) {
            const std::string& order_id = draft.order_id;
            if (!allocations.ok()) {
              absl::Status error = allocations.status();
              // The reservation may have been made even so (a lost answer): give it back before the failure is final.
              catalog_.Release(order_id,
                               async::On<absl::Status>(blocking_, [this, order_id, error, done](absl::Status released) {
                                 absl::Status failed = orders_.FailPlacement(order_id, error, clock_.Now());
                                 if (failed.ok() && released.ok()) failed = orders_.MarkHoldsReleased(order_id);
                                 if (!failed.ok()) {
                                   log::Warn("a failed import could not be recorded; the sweeper will finish it",
                                             {{"order_id", order_id}, {"error", failed.ToString()}});
                                 }
                                 done(error);
                               }));
              return;
            }
            Order order = draft;
            PriceImport(command, order);
            order.address = command.address;
            absl::Status split = SplitByWarehouse(*allocations, order);
            absl::Time now = clock_.Now();
            order.status = OrderStatus::kPendingPayment;
            order.pay_deadline = now + settings_.reservation_ttl;
            order.history.push_back({OrderStatus::kPendingPayment, now, "imported"});
            if (split.ok()) split = orders_.CompletePlacement(order);
            // The sweeper fails a CREATING order left behind and releases its stock.
            if (!split.ok()) return done(split);
            Advance(command, order_id, false, done);
          }));
}

void OrderImports::Replay(const ImportOrderCommand& command, const std::string& order_id, absl::Time give_up,
                          int attempt, Callback<ImportResult> done) {
  absl::StatusOr<Order> existing = orders_.Get(order_id);
  if (!existing.ok()) return done(existing.status());
  bool waited_out = absl::Now() >= give_up;
  switch (existing->status) {
    case OrderStatus::kFailed:
    case OrderStatus::kCancelled: {
      // The earlier attempt took nothing: this one starts again under the same claim.
      if (attempt >= kMaxReclaims) {
        return done(Aborted("IMPORT_IN_PROGRESS", "this marketplace order is being imported by another request"));
      }
      absl::StatusOr<std::string> fresh = BeginDraft(command);
      if (!fresh.ok()) return done(fresh.status());
      absl::StatusOr<bool> moved = imports_.Reclaim(command.channel, command.external_order_id, order_id, *fresh);
      if (!moved.ok()) return done(moved.status());
      if (*moved) return Start(command, *fresh, std::move(done));
      DropDraft(*fresh);
      absl::StatusOr<std::string> holder =
          imports_.Claim(command.channel, command.external_order_id, order_id, clock_.Now());
      if (!holder.ok()) return done(holder.status());
      return Replay(command, *holder, give_up, attempt + 1, std::move(done));
    }
    case OrderStatus::kCreating:
      if (waited_out) {
        return done(
            Aborted("IMPORT_IN_PROGRESS", "the first import of this marketplace order is still running; retry"));
      }
      blocking_.RunAfter(kDuplicatePoll, [this, command, order_id, give_up, attempt, done] {
        Replay(command, order_id, give_up, attempt, done);
      });
      return;
    default: return Advance(command, order_id, true, std::move(done));
  }
}

void OrderImports::Advance(const ImportOrderCommand& command, const std::string& order_id, bool duplicate,
                           Callback<ImportResult> done, int attempt) {
  // A concurrent repeat may win a step first: this one then goes on from where that left the order. An order that
  // stays unclaimable (past its deadline: the sweeper cancels it) ends the call.
  if (attempt >= kMaxAdvanceRaces) {
    return done(Aborted("ORDER_CHANGED", "the imported order changed while importing; retry"));
  }
  absl::StatusOr<Order> order = orders_.Get(order_id);
  if (!order.ok()) return done(order.status());
  absl::Time now = clock_.Now();
  switch (order->status) {
    case OrderStatus::kPendingPayment: {
      absl::StatusOr<bool> claimed = orders_.ClaimForPayment(order_id, now);
      if (!claimed.ok()) return done(claimed.status());
      return Advance(command, order_id, duplicate, std::move(done), attempt + !*claimed);
    }
    case OrderStatus::kPaying: {
      Payment payment;
      payment.payment_id = ids_.NewPaymentId();
      payment.order_id = order_id;
      payment.amount = order->total;
      payment.currency = order->currency;
      payment.provider = order->channel;
      payment.paid_at = command.paid_at == absl::InfinitePast() ? now : command.paid_at;
      absl::StatusOr<bool> paid = orders_.MarkPaid(payment);
      if (!paid.ok()) return done(paid.status());
      return Advance(command, order_id, duplicate, std::move(done), attempt + !*paid);
    }
    case OrderStatus::kPaid:
      catalog_.Confirm(order_id, async::On<absl::Status>(
                                     blocking_, [this, command, order_id, duplicate, done](absl::Status confirmed) {
                                       // Moves the order on to AWAITING_SHIPMENT, as for any paid order.
                                       if (confirmed.ok())
                                         confirmed = orders_.MarkPaidEffectsApplied(order_id, clock_.Now());
                                       if (!confirmed.ok()) return done(confirmed);
                                       absl::StatusOr<Order> shipped = orders_.Get(order_id);
                                       if (!shipped.ok()) return done(shipped.status());
                                       done(ImportResult{*std::move(shipped), duplicate});
                                     }));
      return;
    default: done(ImportResult{*std::move(order), duplicate});
  }
}

}  // namespace zhongtai::order
