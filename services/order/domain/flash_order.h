// Orders of flash-sale winners (秒杀). Marketing admits a winner in Redis and appends it to the stream
// zt.flash.winners; the order center creates its order from that entry (ingest/flash_orders.h), under the order id
// marketing fixed at admission ("o_fp_..."), so a redelivery never creates a second one. The unit comes from the
// sale's own product reservation (keyed by the sale id, settled by marketing when the sale is over), not from a
// reservation of the order: FlashOrderStock answers the order's confirm and release itself. A cancelled or
// timed-out flash order gives its unit back to the sale through its OrderCancelled event, which marketing follows.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "services/order/domain/order.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

inline constexpr char kFlashOrderIdPrefix[] = "o_fp_";
inline constexpr char kFlashSaleChannel[] = "flash_sale";

bool IsFlashOrderId(const std::string& order_id);

// A winner as the stream carries it.
struct FlashWin {
  std::string purchase_id;
  std::string order_id;
  std::string sale_id;
  std::string user_id;
  std::string sku_id;
  int64_t sale_price = 0;
  std::string currency;
};

// INVALID_ARGUMENT for an entry no order can be made of (not a flash order id, no user or SKU, no positive price).
absl::Status ValidateFlashWin(const FlashWin& win);

// The winner's order, unpaid: one unit of the SKU at the sale price, no discount, due `payment_timeout` after `now`.
// Its request id is the purchase's, so the buyer's own idempotency keys never collide with it.
Order FlashOrder(const FlashWin& win, absl::Time now, absl::Duration payment_timeout);

// The product catalog as the order use cases see it: a flash order's stock is the sale's, so its confirm and release
// succeed here without a reservation of the order; every other order goes to `products`.
class FlashOrderStock : public ProductCatalog {
 public:
  explicit FlashOrderStock(ProductCatalog& products) : products_(products) {}

  void GetSkus(const std::vector<std::string>& sku_ids, const std::string& buyer_tier,
               Callback<std::vector<SkuInfo>> done) override {
    products_.GetSkus(sku_ids, buyer_tier, std::move(done));
  }
  void Reserve(const std::string& order_id, const std::vector<LineRequest>& lines, const ShippingAddress& ship_to,
               absl::Duration ttl, Callback<std::vector<StockAllocation>> done) override;
  void Confirm(const std::string& order_id, StatusCallback done) override;
  void Release(const std::string& order_id, StatusCallback done) override;

 private:
  ProductCatalog& products_;
};

}  // namespace zhongtai::order
