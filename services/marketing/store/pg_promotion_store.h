// PromotionStore over PostgreSQL (common/pg). SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing {

class PgPromotionStore : public PromotionStore {
 public:
  explicit PgPromotionStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<CreateResult> Create(const Promotion& promotion) override;
  absl::StatusOr<std::vector<Promotion>> List(const std::string& before_id, int limit) override;
  absl::StatusOr<std::vector<Promotion>> ListOverlapping(absl::Time from, absl::Time to) override;
  absl::StatusOr<Promotion> Get(const std::string& promotion_id) override;
  absl::StatusOr<Promotion> Update(const Promotion& promotion) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::marketing
