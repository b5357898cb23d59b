// The after-sales use cases (after_sales.h has the rules): the buyer asks for a refund, return or exchange and sends
// the goods back; an admin approves or rejects the request and receives the goods. The effects follow, each keyed by
// the return id so that a retry or the sweeper never applies one twice: goods that came back are booked into the
// warehouse (product; damaged ones apart), then the money goes back through the payment provider, the points spent
// go back to the buyer (user), and the return becomes REFUNDED with OrderRefunded in the outbox (marketing returns the
// coupon of a fully refunded order; user takes back what the order earned). A fully refunded order is CLOSED.
//
// A refund only asked before shipment takes its units out of the parcel (fulfilment ships the rest) and, once
// refunded, gives their stock back to the product center (ReturnedStock, sellable, keyed by the return id); a child
// order refunded in full is cancelled and never ships.
//
// When an effect fails the return stays where it is (APPROVED or RECEIVED) and the call answers the error; the
// sweeper (SweepOnce) applies what is still owed.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/async/callback.h"
#include "common/clock/clock.h"
#include "services/order/domain/after_sales.h"
#include "services/order/domain/after_sales_ports.h"
#include "services/order/domain/payment_ports.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

class Returns {
 public:
  Returns(ReturnStore& store, PaymentProvider& provider, PointsRefunds& points, ReturnedStock& stock, Clock& clock,
          ReturnIds& ids, async::Executor& blocking, AfterSalesRules rules = {});

  // Blocking. Another user's order answers ORDER_NOT_FOUND, exactly like a missing one. A repeat with the same
  // request id answers the first return; the same request id for another order is REQUEST_ID_REUSED.
  absl::StatusOr<Return> RequestReturn(const ReturnCommand& command);
  // Blocking. The buyer's own return; another user's answers RETURN_NOT_FOUND.
  absl::StatusOr<Return> GetReturn(const std::string& user_id, const std::string& return_id);
  // Blocking. The buyer sent the goods back (APPROVED -> RETURN_SHIPPED). Repeating it with the same tracking number
  // answers the return as it is.
  absl::StatusOr<Return> ShipBack(const std::string& user_id, const std::string& return_id, const std::string& carrier,
                                  const std::string& tracking_number);

  // Admin. REQUESTED -> APPROVED; a refund-only return is refunded at once. Approving again retries a refund that
  // failed.
  void Approve(const std::string& return_id, const std::string& note, async::Callback<Return> done);
  // Admin. Blocking. REQUESTED -> REJECTED: its units may be asked for again.
  absl::StatusOr<Return> Reject(const std::string& return_id, const std::string& note);
  // Admin. The goods came back (APPROVED or RETURN_SHIPPED -> RECEIVED) in `condition`: they are booked back into the
  // warehouse, then a return-and-refund is refunded. Receiving again retries what failed.
  void Receive(const std::string& return_id, ItemCondition condition, const std::string& note,
               async::Callback<Return> done);

  // Exchanges: checks a replacement of another SKU (same product, same price, on sale) when it is asked for, and holds
  // the replacement's stock once the goods came back. Without it, exchanges send the same SKUs and no stock is held.
  void SetReplacementStock(ReplacementStock* replacement) { replacement_ = replacement; }

  // One pass of the after-sales sweeper: applies the restocks and refunds still owed. Waits for each, so it runs on
  // a thread of its own. Returns the returns finished.
  int SweepOnce();

 private:
  absl::StatusOr<Return> MoveAndSave(const std::string& return_id, ReturnStatus to, const std::string& note,
                                     const std::function<absl::Status(Return&)>& change = nullptr);
  // Applies what `r` is owed (restock, then refund), then answers the return as stored.
  void FinishEffects(Return r, async::Callback<Return> done);
  void Refund(Return r, async::Callback<Return> done);
  void CompleteRefund(Return r, async::Callback<Return> done);

  ReturnStore& store_;
  PaymentProvider& provider_;
  PointsRefunds& points_;
  ReturnedStock& stock_;
  Clock& clock_;
  ReturnIds& ids_;
  async::Executor& blocking_;
  AfterSalesRules rules_;
  ReplacementStock* replacement_ = nullptr;
};

// The product center as ReplacementStock: BatchGetSkus for the check, ReserveStock (the order's address) then
// ConfirmReservation under the key for the hold.
class CatalogReplacementStock : public ReplacementStock {
 public:
  CatalogReplacementStock(ProductCatalog& catalog, OrderStore& orders, async::Executor& blocking)
      : catalog_(catalog), orders_(orders), blocking_(blocking) {}
  void Describe(const std::vector<std::string>& sku_ids, async::Callback<std::vector<ReplacementSku>> done) override;
  void Hold(const std::string& key, const std::string& order_id,
            const std::vector<std::pair<std::string, int64_t>>& lines,
            async::Callback<std::vector<ReplacementHold>> done) override;

 private:
  ProductCatalog& catalog_;
  OrderStore& orders_;
  async::Executor& blocking_;
};

// A carrier's tracking number: 6 to 40 letters, digits or '-'.
bool ValidTrackingNumber(const std::string& tracking_number);

}  // namespace zhongtai::order
