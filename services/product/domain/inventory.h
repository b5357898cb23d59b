// Reservations: the reserve / confirm / release protocol the order service runs (stock movements by admins
// are StockCenter's, stock_center.h), keyed by order id so that every call may be retried.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/product/domain/model.h"
#include "services/product/domain/ports.h"
#include "services/product/domain/product_cache.h"

namespace zhongtai::product {

struct InventoryOptions {
  absl::Duration default_ttl = absl::Minutes(15);  // when the caller gives none
  absl::Duration max_ttl = absl::Hours(24);
  int sweep_batch = 100;
};

class Inventory {
 public:
  // cache: optional; every stock change here invalidates the products it touches.
  Inventory(ProductStore& store, Clock& clock, InventoryObserver& observer, InventoryOptions options = {},
            ProductCache* cache = nullptr);

  // In request order, duplicates once. NOT_FOUND SKU_NOT_FOUND naming the first unknown SKU. Each SKU's availability
  // is what a reservation for the region could draw on (the warehouses that serve it; every active one without one).
  absl::StatusOr<std::vector<Sku>> BatchGetSkus(const std::vector<std::string>& sku_ids,
                                                const ShippingRegion& region = {});

  // Holds all lines or none, for ttl (zero: the default; capped at max_ttl), from the warehouses that
  // serve `region` (every active one when it is empty) as SourceLine() of sourcing.h splits them. A repeat
  // with the same order id, lines and region returns the existing reservation, whatever its state;
  // different ones fail with FAILED_PRECONDITION RESERVATION_MISMATCH. FAILED_PRECONDITION
  // INSUFFICIENT_STOCK, NOT_FOUND SKU_NOT_FOUND.
  absl::StatusOr<Reservation> Reserve(const std::string& order_id, const std::vector<ReservationLine>& lines,
                                      absl::Duration ttl, const ShippingRegion& region = {});
  // HELD -> CONFIRMED: the stock is sold. Idempotent. A released or expired reservation (also one
  // held past its expiry) fails with FAILED_PRECONDITION RESERVATION_EXPIRED.
  absl::StatusOr<Reservation> Confirm(const std::string& order_id);
  // HELD -> RELEASED: the stock is available again. Idempotent. FAILED_PRECONDITION
  // RESERVATION_CONFIRMED for a confirmed one; NOT_FOUND RESERVATION_NOT_FOUND.
  absl::StatusOr<Reservation> Release(const std::string& order_id);

  // A reservation held for a whole sale, once the sale is over: confirm_quantity units sold, the rest available again
  // (settlement.h). Idempotent: a settled reservation is returned as it is. FAILED_PRECONDITION RESERVATION_EXPIRED
  // past its expiry; INVALID_ARGUMENT confirmQuantity; NOT_FOUND RESERVATION_NOT_FOUND.
  absl::StatusOr<Reservation> Settle(const std::string& order_id, int64_t confirm_quantity);
  // A held reservation of one SKU (a flash sale's quantity) resized to new_quantity: more held from available stock,
  // or fewer (available again), with ledger rows. Once per request_id (required): a repeat returns it as it is.
  // FAILED_PRECONDITION INSUFFICIENT_STOCK, RESERVATION_NOT_HELD; INVALID_ARGUMENT quantity / requestId; NOT_FOUND
  // RESERVATION_NOT_FOUND.
  // ttl > 0: held at least that long from now (the expiry extended, never shortened; capped at max_ttl).
  absl::StatusOr<Reservation> Resize(const std::string& order_id, int64_t new_quantity, const std::string& request_id,
                                     absl::Duration ttl = absl::ZeroDuration());

  // Expires every HELD reservation past its expiry, batch by batch. Returns how many.
  absl::StatusOr<int> SweepExpired();

 private:
  void StockChanged(const std::vector<ReservationLine>& lines);

  ProductStore& store_;
  Clock& clock_;
  InventoryObserver& observer_;
  InventoryOptions options_;
  ProductCache* cache_;
};

}  // namespace zhongtai::product
