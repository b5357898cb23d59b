#include "services/order/domain/after_sales.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/order/domain/refund_shares.h"

namespace zhongtai::order {
namespace {

template <typename Enum>
struct Named {
  Enum value;
  const char* name;
};

constexpr Named<ReturnType> kTypes[] = {{ReturnType::kRefundOnly, "REFUND_ONLY"},
                                        {ReturnType::kReturnAndRefund, "RETURN_AND_REFUND"},
                                        {ReturnType::kExchange, "EXCHANGE"}};
constexpr Named<ReturnStatus> kStatuses[] = {{ReturnStatus::kRequested, "REQUESTED"},
                                             {ReturnStatus::kApproved, "APPROVED"},
                                             {ReturnStatus::kRejected, "REJECTED"},
                                             {ReturnStatus::kReturnShipped, "RETURN_SHIPPED"},
                                             {ReturnStatus::kReceived, "RECEIVED"},
                                             {ReturnStatus::kRefunded, "REFUNDED"},
                                             {ReturnStatus::kReplacementShipped, "REPLACEMENT_SHIPPED"},
                                             {ReturnStatus::kExchanged, "EXCHANGED"}};
constexpr Named<ItemCondition> kConditions[] = {
    {ItemCondition::kUnknown, "UNKNOWN"}, {ItemCondition::kSellable, "SELLABLE"}, {ItemCondition::kDamaged, "DAMAGED"}};

template <typename Enum, size_t N>
const char* NameOf(const Named<Enum> (&table)[N], Enum value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "UNKNOWN";
}

template <typename Enum, size_t N>
bool Parse(const Named<Enum> (&table)[N], const std::string& name, Enum* value) {
  for (const auto& entry : table) {
    if (name == entry.name) {
      *value = entry.value;
      return true;
    }
  }
  return false;
}

using LineKey = std::pair<std::string, std::string>;  // child order id, sku id

std::map<LineKey, ClaimedOnLine> Claims(const std::vector<Return>& returns, bool refunded_only) {
  std::map<LineKey, ClaimedOnLine> claims;
  for (const Return& r : returns) {
    if (Releases(r) || r.type == ReturnType::kExchange) continue;
    if (refunded_only && r.status != ReturnStatus::kRefunded) continue;
    for (const ReturnLine& line : r.lines) {
      ClaimedOnLine& claimed = claims[{r.child_order_id, line.sku_id}];
      claimed.quantity += line.quantity;
      claimed.cash += line.refund;
      claimed.points += line.points_refund;
    }
  }
  return claims;
}

// Units of each line held by returns that were not rejected, exchanges included (the same goods cannot be exchanged
// and refunded).
std::map<LineKey, int64_t> UnitsHeld(const std::vector<Return>& returns) {
  std::map<LineKey, int64_t> held;
  for (const Return& r : returns) {
    if (Releases(r)) continue;
    for (const ReturnLine& line : r.lines) held[{r.child_order_id, line.sku_id}] += line.quantity;
  }
  return held;
}

std::optional<absl::Time> CompletedAt(const Order& order) {
  std::optional<absl::Time> at;
  for (const StatusChange& change : order.history) {
    if (change.status == OrderStatus::kCompleted) at = change.at;
  }
  return at;
}

absl::Status TypeNotAllowed(const Order& order, ReturnType type) {
  return Error(
      absl::StatusCode::kFailedPrecondition, "RETURN_TYPE_NOT_ALLOWED",
      absl::StrCat("an order in ", StatusName(order.status), " cannot have a ", ReturnTypeName(type), " request"),
      "type");
}

}  // namespace

const char* ReturnTypeName(ReturnType type) { return NameOf(kTypes, type); }
bool ParseReturnType(const std::string& name, ReturnType* type) { return Parse(kTypes, name, type); }
const char* ReturnStatusName(ReturnStatus status) { return NameOf(kStatuses, status); }
bool ParseReturnStatus(const std::string& name, ReturnStatus* status) { return Parse(kStatuses, name, status); }
const char* ConditionName(ItemCondition condition) { return NameOf(kConditions, condition); }
bool ParseCondition(const std::string& name, ItemCondition* condition) { return Parse(kConditions, name, condition); }

bool ValidPhotoUrl(const std::string& url, const AfterSalesRules& rules) {
  constexpr char kScheme[] = "https://";
  if (url.size() > rules.max_photo_url_length || !absl::StartsWith(url, kScheme)) return false;
  if (url.size() == sizeof(kScheme) - 1 || url[sizeof(kScheme) - 1] == '/') return false;  // no host
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') return false;
  }
  return true;
}

absl::Status ValidateReturnCommand(const ReturnCommand& command, const AfterSalesRules& rules) {
  if (command.request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "an Idempotency-Key (request id) is required");
  }
  if (command.request_id.size() > 64) {
    return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "request id is at most 64 characters");
  }
  if (command.reason.empty()) return InvalidArgument("reason", "RETURN_REASON_MISSING", "say why");
  if (command.reason.size() > rules.max_reason_length) {
    return InvalidArgument("reason", "REASON_TOO_LONG",
                           absl::StrCat("reason must be at most ", rules.max_reason_length, " bytes"));
  }
  if (static_cast<int>(command.photo_urls.size()) > rules.max_photos) {
    return InvalidArgument("photoUrls", "TOO_MANY_IMAGES", absl::StrCat("at most ", rules.max_photos, " photos"));
  }
  for (size_t i = 0; i < command.photo_urls.size(); ++i) {
    if (!ValidPhotoUrl(command.photo_urls[i], rules)) {
      return InvalidArgument(absl::StrCat("photoUrls[", i, "]"), "INVALID_IMAGE_URL",
                             "a photo is an https URL without spaces");
    }
  }
  if (command.lines.empty()) return InvalidArgument("lines", "LINES_EMPTY", "name at least one line to return");
  std::set<std::string> seen;
  for (size_t i = 0; i < command.lines.size(); ++i) {
    const ReturnLineRequest& line = command.lines[i];
    if (line.sku_id.empty()) {
      return InvalidArgument(absl::StrCat("lines[", i, "].skuId"), "SKU_ID_MISSING", "skuId is required");
    }
    if (line.quantity <= 0) {
      return InvalidArgument(absl::StrCat("lines[", i, "].quantity"), "QUANTITY_NOT_POSITIVE",
                             "quantity must be at least 1");
    }
    if (!line.replacement_sku_id.empty() && command.type != ReturnType::kExchange) {
      return InvalidArgument(absl::StrCat("lines[", i, "].replacementSkuId"), "REPLACEMENT_NOT_ALLOWED",
                             "only an exchange sends a replacement");
    }
    if (line.replacement_sku_id.size() > 64) {
      return InvalidArgument(absl::StrCat("lines[", i, "].replacementSkuId"), "SKU_ID_INVALID",
                             "a SKU id has at most 64 characters");
    }
    if (!seen.insert(line.sku_id).second) {
      return InvalidArgument(absl::StrCat("lines[", i, "].skuId"), "DUPLICATE_RETURN_LINE",
                             "name each SKU once, with the quantity to return");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEligible(const ReturnableOrder& returnable, ReturnType type, absl::Time now,
                           const AfterSalesRules& rules) {
  const Order& order = returnable.order;
  switch (order.status) {
    case OrderStatus::kPaid:
    case OrderStatus::kAwaitingShipment:
      if (type != ReturnType::kRefundOnly) return TypeNotAllowed(order, type);
      return absl::OkStatus();
    case OrderStatus::kShipped:
      if (type == ReturnType::kExchange) return TypeNotAllowed(order, type);
      return absl::OkStatus();
    case OrderStatus::kDelivered:
      if (type == ReturnType::kRefundOnly) return TypeNotAllowed(order, type);
      return absl::OkStatus();
    case OrderStatus::kCompleted: {
      if (type == ReturnType::kRefundOnly) return TypeNotAllowed(order, type);
      std::optional<absl::Time> deadline = returnable.after_sales_deadline;
      if (!deadline) {
        std::optional<absl::Time> completed = CompletedAt(order);
        if (completed) deadline = *completed + rules.return_window;
      }
      if (deadline && now > *deadline) {
        return FailedPrecondition("AFTER_SALES_WINDOW_CLOSED", "the after-sales period of this order has ended");
      }
      return absl::OkStatus();
    }
    default:
      return FailedPrecondition("ORDER_NOT_RETURNABLE",
                                absl::StrCat("an order in ", StatusName(order.status), " has nothing to return"));
  }
}

bool Releases(const Return& existing) { return existing.status == ReturnStatus::kRejected; }

absl::StatusOr<Return> DraftReturn(const ReturnableOrder& returnable, const std::vector<Return>& existing,
                                   const ReturnCommand& command, absl::Time now, const AfterSalesRules& rules) {
  const Order& order = returnable.order;
  RETURN_IF_ERROR(CheckEligible(returnable, command.type, now, rules));
  if (!order.children.empty() && command.child_order_id.empty()) {
    return InvalidArgument("childOrderId", "CHILD_ORDER_REQUIRED",
                           "this order ships as several child orders: return one of them");
  }
  std::vector<RefundableLine> lines = RefundableLines(order, command.child_order_id);
  if (lines.empty()) {
    return Error(absl::StatusCode::kNotFound, "CHILD_ORDER_NOT_FOUND", "the order has no such child order",
                 "childOrderId");
  }
  std::map<LineKey, ClaimedOnLine> claims = Claims(existing, false);
  std::map<LineKey, int64_t> held = UnitsHeld(existing);

  Return draft;
  draft.order_id = order.order_id;
  draft.child_order_id = command.child_order_id;
  draft.user_id = command.user_id;
  draft.request_id = command.request_id;
  draft.type = command.type;
  draft.status = ReturnStatus::kRequested;
  draft.reason = command.reason;
  draft.photo_urls = command.photo_urls;
  draft.currency = order.currency;
  draft.warehouse_id = lines.front().warehouse_id;
  draft.before_shipment = command.type == ReturnType::kRefundOnly &&
                          (order.status == OrderStatus::kPaid || order.status == OrderStatus::kAwaitingShipment) &&
                          std::find(returnable.shipped_warehouses.begin(), returnable.shipped_warehouses.end(),
                                    draft.warehouse_id) == returnable.shipped_warehouses.end();
  draft.created_at = now;
  draft.history.push_back({ReturnStatus::kRequested, now, ""});

  for (size_t i = 0; i < command.lines.size(); ++i) {
    const ReturnLineRequest& wanted = command.lines[i];
    const RefundableLine* line = nullptr;
    for (const RefundableLine& candidate : lines) {
      if (candidate.sku_id == wanted.sku_id) line = &candidate;
    }
    if (line == nullptr) {
      return Error(absl::StatusCode::kInvalidArgument, "RETURN_LINE_NOT_IN_ORDER",
                   absl::StrCat(wanted.sku_id, " is not in this order"), absl::StrCat("lines[", i, "].skuId"));
    }
    const LineKey key{command.child_order_id, wanted.sku_id};
    const int64_t left = line->quantity - held[key];
    if (wanted.quantity > left) {
      return Error(absl::StatusCode::kFailedPrecondition, "RETURN_QUANTITY_EXCEEDED",
                   absl::StrCat("only ", std::max<int64_t>(left, 0), " of ", wanted.sku_id, " can still be returned"),
                   absl::StrCat("lines[", i, "].quantity"));
    }
    ReturnLine out;
    out.sku_id = wanted.sku_id;
    out.quantity = wanted.quantity;
    if (wanted.replacement_sku_id != wanted.sku_id) out.replacement_sku_id = wanted.replacement_sku_id;
    if (command.type != ReturnType::kExchange) {
      LineRefund refund = RefundForUnits(*line, claims[key], wanted.quantity);
      out.refund = refund.cash;
      out.points_refund = refund.points;
    }
    draft.refund_amount += out.refund;
    draft.points_refund += out.points_refund;
    draft.lines.push_back(std::move(out));
  }

  // The shipping fee goes back with the refund that leaves nothing of the order (child order) to ship, when every
  // claim on it is a refund only: nothing was ever sent.
  if (command.type == ReturnType::kRefundOnly) {
    bool all_refund_only = true;
    for (const Return& r : existing) {
      if (!Releases(r) && r.child_order_id == command.child_order_id && r.type != ReturnType::kRefundOnly) {
        all_refund_only = false;
      }
    }
    bool everything_claimed = true;
    for (const RefundableLine& line : lines) {
      int64_t units = held[{command.child_order_id, line.sku_id}];
      for (const ReturnLine& mine : draft.lines) {
        if (mine.sku_id == line.sku_id) units += mine.quantity;
      }
      if (units < line.quantity) everything_claimed = false;
    }
    if (all_refund_only && everything_claimed) {
      if (order.children.empty()) {
        draft.shipping_refund = order.shipping_fee;
      } else {
        for (const ChildOrder& child : order.children) {
          if (child.child_order_id == command.child_order_id) draft.shipping_refund = child.shipping_fee;
        }
      }
      draft.refund_amount += draft.shipping_refund;
    }
  }
  if (ClaimedRefund(existing) + draft.refund_amount > order.total) {
    return Internal("REFUND_EXCEEDS_PAID", "the order's refunds would exceed what was paid");
  }
  return draft;
}

int64_t ClaimedRefund(const std::vector<Return>& returns) {
  int64_t sum = 0;
  for (const Return& r : returns) {
    if (!Releases(r)) sum += r.refund_amount;
  }
  return sum;
}

bool CanMove(ReturnType type, ReturnStatus from, ReturnStatus to) {
  using S = ReturnStatus;
  switch (from) {
    case S::kRequested: return to == S::kApproved || to == S::kRejected;
    case S::kApproved:
      // Goods may arrive before the buyer entered the tracking number.
      return type == ReturnType::kRefundOnly ? to == S::kRefunded : (to == S::kReturnShipped || to == S::kReceived);
    case S::kReturnShipped: return to == S::kReceived && type != ReturnType::kRefundOnly;
    case S::kReceived:
      return type == ReturnType::kExchange ? to == S::kReplacementShipped
                                           : to == S::kRefunded && type == ReturnType::kReturnAndRefund;
    case S::kReplacementShipped: return to == S::kExchanged;
    case S::kRejected:
    case S::kRefunded:
    case S::kExchanged: return false;
  }
  return false;
}

absl::Status Move(Return& r, ReturnStatus to, absl::Time at, const std::string& note) {
  if (!CanMove(r.type, r.status, to)) {
    return FailedPrecondition("RETURN_STATE_CONFLICT",
                              absl::StrCat("a ", ReturnTypeName(r.type), " return in ", ReturnStatusName(r.status),
                                           " cannot become ", ReturnStatusName(to)));
  }
  r.status = to;
  r.history.push_back({to, at, note});
  return absl::OkStatus();
}

bool RefundDue(const Return& r) {
  return (r.type == ReturnType::kRefundOnly && r.status == ReturnStatus::kApproved) ||
         (r.type == ReturnType::kReturnAndRefund && r.status == ReturnStatus::kReceived);
}

bool RestockDue(const Return& r) {
  if (r.restocked) return false;
  if (r.type == ReturnType::kRefundOnly) return r.before_shipment && r.status == ReturnStatus::kRefunded;
  return r.status == ReturnStatus::kReceived || r.status == ReturnStatus::kRefunded;
}

bool ReplacementDue(const Return& r) {
  return r.type == ReturnType::kExchange && r.status == ReturnStatus::kReceived && r.replacement_holds.empty();
}

std::string ReplacementSkuOf(const ReturnLine& line) {
  return line.replacement_sku_id.empty() ? line.sku_id : line.replacement_sku_id;
}

std::vector<std::string> ReplacementWarehouses(const Return& r) {
  std::vector<std::string> out;
  for (const ReplacementHold& hold : r.replacement_holds) {
    if (std::find(out.begin(), out.end(), hold.warehouse_id) == out.end()) out.push_back(hold.warehouse_id);
  }
  return out;
}

std::vector<ReplacementHold> HeldIn(const Return& r, const std::string& warehouse_id) {
  std::vector<ReplacementHold> out;
  for (const ReplacementHold& hold : r.replacement_holds) {
    if (hold.warehouse_id == warehouse_id) out.push_back(hold);
  }
  return out;
}

UnitsNotShipped RefundedBeforeShipment(const std::vector<Return>& returns) {
  UnitsNotShipped out;
  for (const Return& r : returns) {
    if (r.type != ReturnType::kRefundOnly || !r.before_shipment || Releases(r)) continue;
    if (r.status != ReturnStatus::kRefunded) {
      out.pending_children.insert(r.child_order_id);
      continue;
    }
    for (const ReturnLine& line : r.lines) out.refunded[{r.child_order_id, line.sku_id}] += line.quantity;
  }
  return out;
}

bool PartFullyRefunded(const Order& order, const std::string& child_order_id, const std::vector<Return>& returns) {
  UnitsNotShipped not_shipped = RefundedBeforeShipment(returns);
  std::vector<RefundableLine> lines = RefundableLines(order, child_order_id);
  if (lines.empty()) return false;
  for (const RefundableLine& line : lines) {
    if (not_shipped.refunded[{child_order_id, line.sku_id}] < line.quantity) return false;
  }
  return true;
}

bool FullyRefunded(const Order& order, const std::vector<Return>& returns) {
  std::map<LineKey, ClaimedOnLine> refunded = Claims(returns, true);
  for (const RefundableLine& line : AllRefundableLines(order)) {
    if (refunded[{line.child_order_id, line.sku_id}].quantity < line.quantity) return false;
  }
  return true;
}

}  // namespace zhongtai::order
