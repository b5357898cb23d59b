// FlashSaleStore over PostgreSQL (migrations/0004_flash_sales.sql), and the writes the flash-sale ingest makes
// inside its consumer transactions (ingest/flash_sale_events.h).
#pragma once

#include <optional>
#include <string>

#include "common/pg/pool.h"
#include "services/marketing/domain/flash_sale_ports.h"

namespace zhongtai::marketing {

class PgFlashSaleStore : public FlashSaleStore {
 public:
  explicit PgFlashSaleStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<CreateResult> Create(const FlashSale& sale) override;
  absl::StatusOr<std::optional<FlashSale>> Get(const std::string& sale_id) override;
  absl::StatusOr<FlashSale> Update(const FlashSale& sale, int64_t expected_version, absl::Time now) override;
  absl::StatusOr<FlashSale> SetStatus(const std::string& sale_id, FlashSaleStatus status, int64_t sold_quantity,
                                      absl::Time now) override;
  absl::StatusOr<std::vector<FlashSale>> ListCurrent(absl::Time now) override;
  absl::StatusOr<std::vector<FlashSale>> ListEnded(absl::Time ended_before, int limit) override;
  absl::StatusOr<std::vector<FlashSale>> ListReserving(absl::Time before, int limit) override;
  absl::StatusOr<std::vector<FlashPurchase>> ListPurchases(const std::string& sale_id) override;
  absl::Status RecordPurchase(const FlashPurchase& purchase, absl::Time now) override;
  absl::StatusOr<std::optional<FlashPurchase>> GetPurchase(const std::string& purchase_id) override;

 private:
  pg::Pool& pool_;
};

// Records an admitted purchase; a repeat (redelivery) changes nothing.
void RecordFlashPurchase(pqxx::work& tx, const FlashPurchase& purchase, absl::Time now);
// The purchase whose order this is, locked; nullopt when the order is not a flash order.
std::optional<FlashPurchase> LockFlashPurchaseByOrder(pqxx::work& tx, const std::string& order_id);
void SetFlashPurchaseStatus(pqxx::work& tx, const std::string& purchase_id, PurchaseStatus status, absl::Time now);

}  // namespace zhongtai::marketing
