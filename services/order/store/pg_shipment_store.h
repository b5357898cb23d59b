// ShipmentStore over the order service's PostgreSQL database (migration 0008). Every order state change is a
// conditional UPDATE taken under the order's row lock, with its history row and outbox event in the same transaction,
// so a duplicate or concurrent callback cannot move an order twice.
#pragma once

#include "common/pg/pool.h"
#include "services/order/domain/fulfilment.h"
#include "services/order/store/pg_order_store.h"

namespace zhongtai::order {

class PgShipmentStore : public ShipmentStore {
 public:
  PgShipmentStore(pg::Pool& pool, PgOrderStore& orders) : pool_(pool), orders_(orders) {}

  absl::StatusOr<CarrierRuleSet> LoadCarrierRules() override;
  absl::Status ReplaceCarrierRules(const CarrierRuleSet& rules) override;
  absl::StatusOr<std::vector<Order>> ListUnshipped(const std::string& user_id,
                                                   const std::string& warehouse_id) override;
  absl::Status CreateShipment(const Shipment& shipment, const std::vector<ShipmentPart>& parts) override;
  absl::StatusOr<std::optional<Shipment>> FindShipment(const std::string& order_id,
                                                       const std::string& warehouse_id) override;
  absl::StatusOr<std::optional<Shipment>> FindByTracking(const std::string& carrier,
                                                         const std::string& tracking_number) override;
  absl::StatusOr<std::vector<Shipment>> ListForOrder(const std::string& order_id) override;
  absl::StatusOr<TrackingOutcome> RecordTracking(const std::string& shipment_id, const TrackingEvent& event,
                                                 bool delivered) override;
  absl::StatusOr<bool> Complete(const std::string& order_id, OrderStatus from, const std::string& reason,
                                absl::Time now) override;
  absl::StatusOr<int> CompleteOverdue(absl::Time delivered_before, absl::Time now, int limit) override;
  // The refunds only asked before shipment (what takes units out of parcels), not rejected, with their lines.
  absl::StatusOr<std::vector<Return>> ListOrderReturns(const std::string& order_id) override;
  absl::StatusOr<std::optional<Return>> GetReplacement(const std::string& return_id) override;
  absl::StatusOr<std::vector<Shipment>> ListReplacementShipments(const std::string& return_id) override;
  absl::Status CreateReplacementShipment(const Shipment& shipment, const Return& exchange,
                                         const std::vector<OrderLine>& lines) override;

 private:
  absl::StatusOr<std::vector<Shipment>> LoadShipments(const std::string& where, const std::string& a,
                                                      const std::string& b);
  pg::Pool& pool_;
  PgOrderStore& orders_;
};

}  // namespace zhongtai::order
