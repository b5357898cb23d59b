#include "services/marketing/store/pg_campaign_change_lock.h"

namespace zhongtai::marketing {
namespace {

// The advisory lock's key: any fixed number the marketing database uses for nothing else.
constexpr int64_t kCampaignChangeLockKey = 0x7a74636d70676e;  // "ztcmpgn"

}  // namespace

absl::Status PgCampaignChangeLock::Run(const std::function<absl::Status()>& change) {
  std::lock_guard<std::mutex> lock(mu_);
  // One attempt: the change itself is idempotent, but a retry is the caller's to decide.
  return pool_.Transact(
      [&](pqxx::work& tx) {
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kCampaignChangeLockKey);
        return change();
      },
      1);
}

}  // namespace zhongtai::marketing
