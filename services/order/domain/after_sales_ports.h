// What after-sales (returns.h) needs from the outside world: its store (store/pg_return_store.h), the user center's
// points and the product center's stock (clients/after_sales_clients.h). The refund itself goes through the
// PaymentProvider (payment_ports.h), keyed by the return id. Threads as in ports.h: the store blocks, the remote
// calls are asynchronous.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/async/callback.h"
#include "services/order/domain/after_sales.h"

namespace zhongtai::order {

class ReturnIds {
 public:
  virtual ~ReturnIds() = default;
  virtual std::string NewReturnId() = 0;
};

class ReturnStore {
 public:
  virtual ~ReturnStore() = default;

  // Builds the return from the order (read and locked for the transaction) and the order's other returns.
  using Drafter = std::function<absl::StatusOr<Return>(const ReturnableOrder&, const std::vector<Return>&)>;
  // Decides from the order and all its returns (the refunded one included) whether the order is now fully refunded.
  using FullRefundRule = std::function<bool(const Order&, const std::vector<Return>&)>;

  struct Created {
    Return r;
    bool replayed = false;  // the user had already asked with this request id: the first return, unchanged
  };

  // In one transaction that locks the order row (so that concurrent requests on the same order queue up): answers
  // the user's earlier return with the same request id, or saves what `draft` builds under `return_id` with a
  // ReturnStatusChanged event. NOT_FOUND ORDER_NOT_FOUND when the order does not exist.
  virtual absl::StatusOr<Created> Create(const std::string& order_id, const std::string& user_id,
                                         const std::string& request_id, const std::string& return_id,
                                         const Drafter& draft) = 0;
  // NOT_FOUND RETURN_NOT_FOUND.
  virtual absl::StatusOr<Return> Get(const std::string& return_id) = 0;
  // Saves `updated` (status, history, carrier and tracking number, condition) if the stored return is still in `from`,
  // with a ReturnStatusChanged event. False when it was not.
  virtual absl::StatusOr<bool> Update(const Return& updated, ReturnStatus from) = 0;
  // In one transaction that locks the order: `refunded` (moved to REFUNDED by the caller) is saved if the stored one
  // is still in `from`, with ReturnStatusChanged and OrderRefunded events; when `fully_refunded` says so, the order
  // moves to CLOSED and the event says full_refund. False when the return was no longer in `from`.
  virtual absl::StatusOr<bool> CompleteRefund(const Return& refunded, ReturnStatus from,
                                              const FullRefundRule& fully_refunded) = 0;
  virtual absl::Status MarkRestocked(const std::string& return_id) = 0;
  // Exchange: the replacement's stock is held where `holds` say (set once; a repeat keeps the first).
  virtual absl::Status MarkReplacementHeld(const std::string& return_id, const std::vector<ReplacementHold>& holds) = 0;
  // For the sweeper: returns owed a refund, a restock or an exchange's replacement hold.
  virtual absl::StatusOr<std::vector<std::string>> ListEffectsDue(int limit) = 0;
};

// The user center: gives back points a paid order spent. Idempotent per request id (the return id).
class PointsRefunds {
 public:
  virtual ~PointsRefunds() = default;
  virtual void ReturnPoints(const std::string& order_id, int64_t points, const std::string& request_id,
                            async::StatusCallback done) = 0;
};

// Goods that came back, for the product center to book into the warehouse: sellable ones become available again,
// damaged ones are counted apart. Idempotent per return id.
struct ReturnedGoods {
  std::string return_id;
  std::string warehouse_id;
  std::vector<std::pair<std::string, int64_t>> lines;  // sku id, quantity
  ItemCondition condition = ItemCondition::kSellable;
};

class ReturnedStock {
 public:
  virtual ~ReturnedStock() = default;
  virtual void Restock(const ReturnedGoods& goods, async::StatusCallback done) = 0;
};

// An exchange's replacement, as the product center knows its SKUs and holds their stock.
struct ReplacementSku {
  std::string sku_id;
  std::string product_id;
  int64_t unit_price = 0;
  bool on_shelf = true;
};

class ReplacementStock {
 public:
  virtual ~ReplacementStock() = default;
  // The SKUs' products and prices (unknown SKUs left out).
  virtual void Describe(const std::vector<std::string>& sku_ids, async::Callback<std::vector<ReplacementSku>> done) = 0;
  // Takes the replacement's units out of stock under `key` (a reservation confirmed at once: they leave with the
  // parcels), from warehouses serving the order's address; answers where each SKU's units are held (a line may be
  // split over warehouses). Idempotent per key.
  virtual void Hold(const std::string& key, const std::string& order_id,
                    const std::vector<std::pair<std::string, int64_t>>& lines,
                    async::Callback<std::vector<ReplacementHold>> done) = 0;
};

}  // namespace zhongtai::order
