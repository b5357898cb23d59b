#include "services/order/ingest/flash_orders.h"

#include "common/log/log.h"
#include "services/order/domain/flash_order.h"
#include "services/order/store/pg_flash_order_store.h"
#include "zhongtai/marketing/v1/flash_sales.pb.h"

namespace zhongtai::order {

events::Handler MakeFlashWinnerHandler(Clock& clock, absl::Duration payment_timeout, OrderObserver& observer) {
  return [&clock, payment_timeout, &observer](pqxx::work& tx, const events::Event& event) -> absl::Status {
    marketing::v1::FlashSaleWon won;
    if (event.type != marketing::v1::FlashSaleWon::descriptor()->full_name() || !won.ParseFromString(event.payload)) {
      log::Warn("flash winner entry unparsable, skipped", {{"event_id", event.id}, {"type", event.type}});
      return absl::OkStatus();
    }
    FlashWin win{won.purchase_id(),
                 won.order_id(),
                 won.sale_id(),
                 won.user_id(),
                 won.sku_id(),
                 won.sale_price().amount_minor(),
                 won.sale_price().currency()};
    if (absl::Status valid = ValidateFlashWin(win); !valid.ok()) {
      log::Warn("flash winner refused, skipped", {{"event_id", event.id}, {"error", valid.ToString()}});
      return absl::OkStatus();
    }
    absl::StatusOr<bool> inserted = InsertFlashOrder(tx, FlashOrder(win, clock.Now(), payment_timeout));
    if (!inserted.ok()) return inserted.status();
    if (*inserted) observer.OrderPlaced(kFlashSaleChannel);
    return absl::OkStatus();
  };
}

}  // namespace zhongtai::order
