// Flash sales (秒杀): a SKU sold at a sale price, a fixed quantity and a per-user limit, within a time window.
// The quantity is held by a product reservation owned by the sale; admission runs in Redis (flash_sale_ports.h).
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace zhongtai::marketing {

enum class FlashSaleStatus {
  kReserving,  // created; the product reservation of its quantity is being made
  kActive,     // quantity reserved: buyers are admitted while start_time <= now < end_time
  kFailed,     // the product could not reserve the quantity: the sale never opens
  kSettled,    // ended: sold units confirmed with the product, the rest given back
};

struct FlashSale {
  std::string sale_id;
  std::string request_id;
  std::string name;
  std::string sku_id;
  int64_t sale_price = 0;  // minor units, per unit
  std::string currency = "CNY";
  int64_t quantity = 0;
  int64_t per_user_limit = 0;
  absl::Time start_time = absl::InfinitePast();
  absl::Time end_time = absl::InfinitePast();
  FlashSaleStatus status = FlashSaleStatus::kReserving;
  // Units whose order was paid, confirmed with the product at settlement.
  int64_t sold_quantity = 0;
  absl::Time create_time = absl::InfinitePast();
  // Raised by every change (FlashSaleChange): an admin's change names the version it was made on.
  int64_t version = 1;
};

// A winner's place in the sale, from admission to its order's fate.
enum class PurchaseStatus {
  kPending,   // admitted in Redis; its order is being created
  kOrdered,   // the order exists, unpaid
  kPaid,      // the order was paid: the unit is sold
  kReleased,  // the order was cancelled or timed out: the unit went back to the sale
};

struct FlashPurchase {
  std::string purchase_id;
  std::string sale_id;
  std::string user_id;
  std::string request_id;
  // Chosen at admission (FlashOrderId): the buyer can poll for it before the order exists.
  std::string order_id;
  PurchaseStatus status = PurchaseStatus::kPending;
  absl::Time admit_time = absl::InfinitePast();
};

// What the order center needs to create the winner's order, appended to the winners' stream at admission.
struct FlashWinner {
  std::string purchase_id;
  std::string order_id;
  std::string sale_id;
  std::string user_id;
  std::string request_id;
  std::string sku_id;
  int64_t sale_price = 0;
  std::string currency;
  absl::Time admit_time = absl::InfinitePast();
};

}  // namespace zhongtai::marketing
