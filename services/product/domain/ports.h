// What the product domain needs from outside: time, ids, storage and metrics. Implementations:
// store/ (PostgreSQL), the runtime ones in ids.h, and in-memory fakes in tests/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string NewCategoryId() = 0;
  virtual std::string NewProductId() = 0;
  virtual std::string NewSkuId() = 0;
  virtual std::string NewBrandId() = 0;
};

// What to do with a reservation; see DecideTransition() in rules.h for the rules.
enum class ReservationAction { kConfirm, kRelease, kExpire };

struct ReserveOutcome {
  Reservation reservation;
  bool created = false;  // false: the order id already had this reservation
};

struct TransitionOutcome {
  Reservation reservation;  // as it is after the call
  bool changed = false;
};

// Storage of the catalogue and the stock. Every method is one transaction. Errors carry reasons:
// NOT_FOUND CATEGORY_NOT_FOUND / PRODUCT_NOT_FOUND / SKU_NOT_FOUND / RESERVATION_NOT_FOUND /
// WAREHOUSE_NOT_FOUND, ALREADY_EXISTS CATEGORY_EXISTS / SKU_CODE_EXISTS, FAILED_PRECONDITION
// INSUFFICIENT_STOCK. Warehouses and admin stock movements are StockStore's (stock_ports.h).
class ProductStore {
 public:
  virtual ~ProductStore() = default;

  // Inserts the category; with a request id already used, returns that first category instead.
  virtual absl::StatusOr<Category> CreateCategory(const Category& category, const std::string& request_id) = 0;
  // Categories ordered by id, after `after_id`, at most `limit`.
  virtual absl::StatusOr<std::vector<Category>> ListCategories(const std::string& after_id, int limit) = 0;

  // Inserts the product, its SKUs and their initial stock (with ledger rows); with a request id
  // already used, returns that first product instead.
  virtual absl::StatusOr<Product> CreateProduct(const Product& product, const std::vector<InitialStock>& stock,
                                                const std::string& request_id, absl::Time now) = 0;
  virtual absl::StatusOr<Product> GetProduct(const std::string& product_id) = 0;
  // Newest first (descending id), at most query.page_size.
  virtual absl::StatusOr<std::vector<Product>> ListProducts(const ProductQuery& query) = 0;
  // The SKUs that exist among `sku_ids`, in any order, with product title and availability, and the product's brand
  // and category path (root first). Availability is what a reservation for the region could draw on: the stock of
  // the warehouses that serve it (Serves(); every active one for an empty region).
  virtual absl::StatusOr<std::vector<Sku>> GetSkus(const std::vector<std::string>& sku_ids,
                                                   const ShippingRegion& region) = 0;

  // All or nothing: holds every line's quantity (allocated with AllocateStock()) or nothing.
  // A reservation that already exists for the order id is returned as is (created = false).
  virtual absl::StatusOr<ReserveOutcome> Reserve(const Reservation& draft) = 0;
  // Locks the reservation, applies DecideTransition() and moves the stock accordingly.
  virtual absl::StatusOr<TransitionOutcome> Transition(const std::string& order_id, ReservationAction action,
                                                       absl::Time now) = 0;
  // HELD -> CONFIRMED by parts: SplitSettlement() (settlement.h) decides what each allocation confirms and releases,
  // on the locked reservation. DecideTransition(kConfirm) decides whether it may: a reservation no longer HELD is
  // returned unchanged (a replay), one past its expiry fails with RESERVATION_EXPIRED.
  virtual absl::StatusOr<TransitionOutcome> Settle(const std::string& order_id, int64_t confirm_quantity,
                                                   absl::Time now) = 0;
  // Resizes a HELD reservation of one SKU to `new_quantity` as PlanResize() (settlement.h) plans it, on the locked
  // reservation and locked stock rows, with a ledger row per moved stock row ('reserve' more, 'release' fewer).
  // Its expiry moves to hold_until when that is later. Once per request_id: a repeat returns the reservation unchanged.
  // FAILED_PRECONDITION RESERVATION_NOT_HELD when it is no longer held (or past its expiry), INSUFFICIENT_STOCK;
  // NOT_FOUND RESERVATION_NOT_FOUND.
  virtual absl::StatusOr<TransitionOutcome> Resize(const std::string& order_id, int64_t new_quantity,
                                                   const std::string& request_id, absl::Time now,
                                                   absl::Time hold_until) = 0;
  // Expires up to `limit` HELD reservations whose expiry is at or before `now`, skipping those
  // another transaction holds. Returns how many it expired.
  virtual absl::StatusOr<int> ExpireDue(absl::Time now, int limit) = 0;
};

// Business counters; the API layer implements them with Prometheus.
class InventoryObserver {
 public:
  virtual ~InventoryObserver() = default;
  // result: reserved, insufficient, confirmed, released, expired.
  virtual void ReservationResult(absl::string_view result) {}
};

}  // namespace zhongtai::product
