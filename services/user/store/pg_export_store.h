// ExportStore over PostgreSQL (data_exports, migration 0009). SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/privacy_ports.h"

namespace zhongtai::user {

class PgExportStore : public ExportStore {
 public:
  explicit PgExportStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<DataExport> CreateOrGetOpen(const DataExport& fresh) override;
  absl::StatusOr<DataExport> Get(const std::string& export_id, const std::string& user_id) override;
  absl::StatusOr<std::optional<DataExport>> ClaimDue(absl::Time now, absl::Duration lease) override;
  absl::Status Complete(const std::string& export_id, const std::string& archive, absl::Time now,
                        absl::Time expires_at) override;
  absl::Status GiveUp(const std::string& export_id, bool final, absl::Time now, absl::Time retry_at) override;
  absl::StatusOr<int> DeleteExpired(absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::user
