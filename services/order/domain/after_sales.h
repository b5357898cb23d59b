// After-sales (售后): a buyer's request to get money back for, send back or exchange what an order delivered, and
// its state machine:
//
//   REQUESTED --approve--> APPROVED --(refund only: refund at once)--------------------------> REFUNDED
//       \                     \--buyer ships it back--> RETURN_SHIPPED --receive--> RECEIVED --refund--> REFUNDED
//        \--reject--> REJECTED
//   exchange: RECEIVED --replacement held, shipped--> REPLACEMENT_SHIPPED --delivered--> EXCHANGED
//
// Which kind an order allows follows its status: paid but not shipped (PAID, AWAITING_SHIPMENT) only a refund;
// SHIPPED (not yet received) a refund or a return; DELIVERED and COMPLETED a return or an exchange, COMPLETED only
// until its after-sales deadline. A split order is returned per child order. What each return refunds comes from
// the order's own shares (refund_shares.h), fixed when it is requested, and the returns of an order never claim more
// units, money or points than it had. Pure rules: the store calls them inside the transaction that locks the order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/order/domain/order.h"

namespace zhongtai::order {

enum class ReturnType {
  kRefundOnly,       // 仅退款: nothing comes back (not shipped, or never received)
  kReturnAndRefund,  // 退货退款
  kExchange,         // 换货: the goods come back and the same SKUs (or others of the same product and price) go out
};

enum class ReturnStatus {
  kRequested,
  kApproved,
  kRejected,
  kReturnShipped,
  kReceived,
  kRefunded,
  kReplacementShipped,  // exchange: the replacement left the warehouse
  kExchanged,           // exchange: the replacement was delivered; done
};

// What the warehouse found when the goods came back.
enum class ItemCondition { kUnknown, kSellable, kDamaged };

const char* ReturnTypeName(ReturnType type);
bool ParseReturnType(const std::string& name, ReturnType* type);
const char* ReturnStatusName(ReturnStatus status);
bool ParseReturnStatus(const std::string& name, ReturnStatus* status);
const char* ConditionName(ItemCondition condition);
bool ParseCondition(const std::string& name, ItemCondition* condition);

struct ReturnLine {
  std::string sku_id;
  int64_t quantity = 0;
  int64_t refund = 0;         // money back for these units, fen
  int64_t points_refund = 0;  // points back for these units
  // Exchange: the SKU sent instead of sku_id (same product, same price); empty: sku_id again.
  std::string replacement_sku_id;
};

struct ReturnStatusChange {
  ReturnStatus status;
  absl::Time at;
  std::string note;
};

// Exchange: units of one replacement SKU held in one warehouse. The product center sources each line where its stock
// is, so a replacement may be held in several warehouses; each ships its part as its own parcel.
struct ReplacementHold {
  std::string warehouse_id;
  std::string sku_id;
  int64_t quantity = 0;
  bool operator==(const ReplacementHold& o) const {
    return warehouse_id == o.warehouse_id && sku_id == o.sku_id && quantity == o.quantity;
  }
};

struct Return {
  std::string return_id;
  std::string order_id;
  std::string child_order_id;  // empty unless the order was split
  std::string user_id;
  std::string request_id;
  ReturnType type = ReturnType::kRefundOnly;
  ReturnStatus status = ReturnStatus::kRequested;
  std::string reason;
  std::vector<std::string> photo_urls;
  std::vector<ReturnLine> lines;
  std::string currency = "CNY";
  int64_t refund_amount = 0;    // money back in total: the lines' plus shipping_refund
  int64_t shipping_refund = 0;  // the shipping fee, when nothing of the order (child order) was ever shipped
  int64_t points_refund = 0;
  std::string warehouse_id;  // where returned goods go back
  std::string return_carrier;
  std::string return_tracking_number;
  ItemCondition condition = ItemCondition::kUnknown;
  bool restocked = false;  // the returned goods were booked back into the warehouse (sellable or damaged)
  // A refund only asked while the order (child order) was paid and not shipped: its units are taken out of the parcel
  // (fulfilment ships what is left) and, once refunded, their stock goes back to the product center (restocked).
  bool before_shipment = false;
  // Exchange: where the replacement's units are held (empty until held), and its first parcel once shipped.
  std::vector<ReplacementHold> replacement_holds;
  std::string replacement_carrier;
  std::string replacement_tracking_number;
  absl::Time created_at;
  std::vector<ReturnStatusChange> history;
};

struct ReturnLineRequest {
  std::string sku_id;
  int64_t quantity = 0;
  std::string replacement_sku_id;  // exchange only; empty: the same SKU
};

// What the buyer asks for.
struct ReturnCommand {
  std::string user_id;
  std::string order_id;
  std::string child_order_id;
  std::string request_id;
  ReturnType type = ReturnType::kRefundOnly;
  std::string reason;
  std::vector<std::string> photo_urls;
  std::vector<ReturnLineRequest> lines;
};

struct AfterSalesRules {
  // A completed order without a recorded deadline may be returned this long after it completed.
  absl::Duration return_window = absl::Hours(24 * 7);
  int max_photos = 9;
  size_t max_reason_length = 500;
  size_t max_photo_url_length = 1024;
};

// The order as after-sales reads it: with its deadline, set by fulfilment when the order completed.
struct ReturnableOrder {
  Order order;
  std::optional<absl::Time> after_sales_deadline;
  // The warehouses whose part of the order is already in a parcel: a refund of those is not before shipment.
  std::vector<std::string> shipped_warehouses;
};

// The request's own fields (lines, reason, photos, request id), before the order is read. INVALID_ARGUMENT naming the
// field.
absl::Status ValidateReturnCommand(const ReturnCommand& command, const AfterSalesRules& rules);
// An https URL without spaces or control characters, within the length limit.
bool ValidPhotoUrl(const std::string& url, const AfterSalesRules& rules);

// Whether the order, in its status now, allows this kind of return. FAILED_PRECONDITION ORDER_NOT_RETURNABLE,
// RETURN_TYPE_NOT_ALLOWED (field type) or AFTER_SALES_WINDOW_CLOSED.
absl::Status CheckEligible(const ReturnableOrder& order, ReturnType type, absl::Time now, const AfterSalesRules& rules);

// A return that does not hold units, money or points of its order any more.
bool Releases(const Return& existing);

// The return the command asks for, priced from the order's shares given the order's other returns (`existing`):
// eligibility, the child order (CHILD_ORDER_REQUIRED, CHILD_ORDER_NOT_FOUND), each line in it
// (RETURN_LINE_NOT_IN_ORDER) and within what is left to return (RETURN_QUANTITY_EXCEEDED), and the refund. The caller
// fills ids and times.
absl::StatusOr<Return> DraftReturn(const ReturnableOrder& order, const std::vector<Return>& existing,
                                   const ReturnCommand& command, absl::Time now, const AfterSalesRules& rules);

// Money refunded or claimed by the order's returns that were not rejected: never more than the order's total.
int64_t ClaimedRefund(const std::vector<Return>& returns);

// Whether `from` may move to `to` for this kind of return.
bool CanMove(ReturnType type, ReturnStatus from, ReturnStatus to);
// Moves the return and records it in its history; FAILED_PRECONDITION RETURN_STATE_CONFLICT when not allowed.
absl::Status Move(Return& r, ReturnStatus to, absl::Time at, const std::string& note);

// The refund is owed: approved refund-only, or the goods of a return came back.
bool RefundDue(const Return& r);
// The goods came back and are not yet booked back into the warehouse; or a refund before shipment was paid and the
// units it took out of the parcel are not yet given back to the product center's stock.
bool RestockDue(const Return& r);

// Exchange: the goods came back and the replacement's stock is not held yet.
bool ReplacementDue(const Return& r);
// The SKU each line of an exchange sends out.
std::string ReplacementSkuOf(const ReturnLine& line);
// The warehouses holding an exchange's replacement, each once, in the order of its holds.
std::vector<std::string> ReplacementWarehouses(const Return& r);
// The units `warehouse_id` holds for the replacement: what its parcel carries.
std::vector<ReplacementHold> HeldIn(const Return& r, const std::string& warehouse_id);

// Units of an order that refunds before shipment took out of its parcels, by (child order id, "" when not split; sku
// id): those refunded (REFUNDED) never ship. `pending` when such a refund still awaits a decision or its money
// (REQUESTED, APPROVED): the part waits for it rather than ship goods that may be refunded.
struct UnitsNotShipped {
  std::map<std::pair<std::string, std::string>, int64_t> refunded;
  std::set<std::string> pending_children;
};
UnitsNotShipped RefundedBeforeShipment(const std::vector<Return>& returns);

// Every unit of the child order (child_order_id "" for an order that was not split) was refunded before shipment:
// it is cancelled and never ships.
bool PartFullyRefunded(const Order& order, const std::string& child_order_id, const std::vector<Return>& returns);

// Every unit of the order refunded by returns in REFUNDED (`returns` includes the one just refunded): the order
// closes and its coupon may go back to the buyer.
bool FullyRefunded(const Order& order, const std::vector<Return>& returns);

}  // namespace zhongtai::order
