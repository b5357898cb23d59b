#include "services/order/domain/flash_order.h"

#include <utility>

#include "absl/strings/match.h"
#include "common/status/status.h"

namespace zhongtai::order {

bool IsFlashOrderId(const std::string& order_id) { return absl::StartsWith(order_id, kFlashOrderIdPrefix); }

absl::Status ValidateFlashWin(const FlashWin& win) {
  if (!IsFlashOrderId(win.order_id) || win.order_id.size() <= sizeof(kFlashOrderIdPrefix) - 1) {
    return InvalidArgument("orderId", "ORDER_ID_INVALID", "not a flash order id");
  }
  if (win.user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "the winner has no user");
  if (win.sku_id.empty()) return InvalidArgument("skuId", "SKU_ID_MISSING", "the winner has no SKU");
  if (win.sale_price <= 0) return InvalidArgument("salePrice", "PRICE_NEGATIVE", "the sale price must be positive");
  if (win.currency.size() != 3) return InvalidArgument("salePrice.currency", "CURRENCY_INVALID", "bad currency");
  return absl::OkStatus();
}

Order FlashOrder(const FlashWin& win, absl::Time now, absl::Duration payment_timeout) {
  Order order;
  order.order_id = win.order_id;
  order.user_id = win.user_id;
  order.request_id = "flash:" + win.purchase_id;
  order.request_fingerprint = "flash_sale:" + win.sale_id;
  order.status = OrderStatus::kPendingPayment;
  order.channel = kFlashSaleChannel;
  order.currency = win.currency;
  OrderLine line;
  line.sku_id = win.sku_id;
  line.quantity = 1;
  line.unit_price = win.sale_price;
  line.subtotal = win.sale_price;
  line.discount = 0;
  line.total = win.sale_price;
  order.lines = {line};
  order.subtotal = order.total = win.sale_price;
  order.discount = 0;
  order.created_at = now;
  order.pay_deadline = now + payment_timeout;
  order.history = {{OrderStatus::kPendingPayment, now, "flash sale won"}};
  return order;
}

void FlashOrderStock::Reserve(const std::string& order_id, const std::vector<LineRequest>& lines,
                              const ShippingAddress& ship_to, absl::Duration ttl,
                              Callback<std::vector<StockAllocation>> done) {
  // Flash orders are never placed through the saga; a reservation keyed by such an id would hold stock twice.
  if (IsFlashOrderId(order_id)) {
    return done(InvalidArgument("orderId", "ORDER_ID_INVALID", "flash orders take their stock from the sale"));
  }
  products_.Reserve(order_id, lines, ship_to, ttl, std::move(done));
}

void FlashOrderStock::Confirm(const std::string& order_id, StatusCallback done) {
  if (IsFlashOrderId(order_id)) return done(absl::OkStatus());
  products_.Confirm(order_id, std::move(done));
}

void FlashOrderStock::Release(const std::string& order_id, StatusCallback done) {
  if (IsFlashOrderId(order_id)) return done(absl::OkStatus());
  products_.Release(order_id, std::move(done));
}

}  // namespace zhongtai::order
