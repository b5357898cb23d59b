#include "services/marketing/ingest/flash_sale_events.h"

#include "common/log/log.h"
#include "common/status/status.h"
#include "services/marketing/domain/flash_sale_rules.h"
#include "services/marketing/store/pg_flash_sale_store.h"
#include "services/marketing/store/redis_flash_admission.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::marketing {
namespace {

// The purchase a flash order's event concerns, or why the event is skipped or retried.
template <typename OrderEvent>
absl::StatusOr<std::optional<FlashPurchase>> PurchaseOf(pqxx::work& tx, const events::Event& event) {
  OrderEvent parsed;
  if (!parsed.ParseFromString(event.payload)) {
    log::Warn("order event unparsable, skipped", {{"event_id", event.id}, {"type", event.type}});
    return std::nullopt;
  }
  if (!IsFlashOrderId(parsed.order_id())) return std::nullopt;
  std::optional<FlashPurchase> purchase = LockFlashPurchaseByOrder(tx, parsed.order_id());
  if (!purchase.has_value()) {
    return Unavailable("FLASH_PURCHASE_NOT_RECORDED", "the flash order's purchase is not recorded yet");
  }
  return purchase;
}

}  // namespace

events::Handler MakeFlashWinnerHandler(Clock& clock) {
  return [&clock](pqxx::work& tx, const events::Event& event) -> absl::Status {
    FlashWinner winner;
    if (event.type != kFlashSaleWonType || !ParseFlashWinner(event.payload, &winner)) {
      log::Warn("flash winner entry unparsable, skipped", {{"event_id", event.id}, {"type", event.type}});
      return absl::OkStatus();
    }
    FlashPurchase purchase;
    purchase.purchase_id = winner.purchase_id;
    purchase.sale_id = winner.sale_id;
    purchase.user_id = winner.user_id;
    purchase.order_id = winner.order_id;
    purchase.status = PurchaseStatus::kPending;
    purchase.admit_time = winner.admit_time;
    purchase.request_id = winner.request_id;
    RecordFlashPurchase(tx, purchase, clock.Now());
    return absl::OkStatus();
  };
}

events::Handler MakeFlashOrderEventHandler(FlashAdmission& admission, Clock& clock) {
  return [&admission, &clock](pqxx::work& tx, const events::Event& event) -> absl::Status {
    absl::StatusOr<std::optional<FlashPurchase>> purchase;
    std::optional<PurchaseStatus> to;
    if (event.type == "zhongtai.order.v1.OrderPlaced") {
      purchase = PurchaseOf<order::v1::OrderPlaced>(tx, event);
      to = PurchaseStatus::kOrdered;
    } else if (event.type == "zhongtai.order.v1.OrderPaid") {
      purchase = PurchaseOf<order::v1::OrderPaid>(tx, event);
      to = PurchaseStatus::kPaid;
    } else if (event.type == "zhongtai.order.v1.OrderCancelled") {
      purchase = PurchaseOf<order::v1::OrderCancelled>(tx, event);
      to = PurchaseStatus::kReleased;
    } else {
      return absl::OkStatus();
    }
    if (!purchase.ok()) return purchase.status();
    if (!purchase->has_value()) return absl::OkStatus();
    const FlashPurchase& p = **purchase;
    // Forward only: PENDING -> ORDERED -> PAID; RELEASED from PENDING or ORDERED. A late or repeated event is a no-op.
    const bool forward = p.status != PurchaseStatus::kReleased && p.status != PurchaseStatus::kPaid &&
                         static_cast<int>(*to) > static_cast<int>(p.status);
    if (!forward) return absl::OkStatus();
    SetFlashPurchaseStatus(tx, p.purchase_id, *to, clock.Now());
    // Before the commit: if it fails the entry is retried, and the script gives a unit back once per purchase.
    if (*to == PurchaseStatus::kReleased) return admission.Release(p.sale_id, p.purchase_id, p.user_id);
    return absl::OkStatus();
  };
}

std::set<std::string> FlashOrderEventHandlerTypes() {
  return {order::v1::OrderPlaced::descriptor()->full_name(), order::v1::OrderPaid::descriptor()->full_name(),
          order::v1::OrderCancelled::descriptor()->full_name()};
}

}  // namespace zhongtai::marketing
