#include "services/user/domain/privacy_exports.h"

#include <utility>

#include "common/async/callback.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::user {

absl::StatusOr<DataExport> DataExports::Request(const std::string& user_id, const std::string& request_id) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (request_id.size() > static_cast<size_t>(kMaxExportRequestIdChars)) {
    return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "the idempotency key is at most 128 characters");
  }
  DataExport fresh;
  fresh.export_id = ids_.NewExportId();
  fresh.user_id = user_id;
  fresh.request_id = request_id;
  fresh.state = ExportState::kPending;
  fresh.created_at = clock_.Now();
  return store_.CreateOrGetOpen(fresh);
}

absl::StatusOr<DataExport> DataExports::Get(const std::string& user_id, const std::string& export_id) {
  if (export_id.empty()) return InvalidArgument("exportId", "EXPORT_ID_MISSING", "the export id is required");
  return store_.Get(export_id, user_id);
}

absl::StatusOr<bool> DataExports::RunNext() {
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(std::optional<DataExport> job, store_.ClaimDue(now, settings_.lease));
  if (!job) return false;
  absl::StatusOr<std::string> archive = async::Await<absl::StatusOr<std::string>>(
      [&](async::Callback<std::string> done) { gatherer_.Gather(job->user_id, now, std::move(done)); });
  const absl::Time finished = clock_.Now();
  if (archive.ok()) {
    RETURN_IF_ERROR(store_.Complete(job->export_id, *archive, finished, finished + settings_.archive_ttl));
    log::Info("data export ready", {{"export_id", job->export_id}});
    return true;
  }
  const bool final = job->attempts >= settings_.max_attempts;
  log::Warn(final ? "data export failed" : "data export gathering failed; will retry",
            {{"export_id", job->export_id}, {"error", archive.status().ToString()}});
  RETURN_IF_ERROR(store_.GiveUp(job->export_id, final, finished, finished + settings_.retry_after));
  return true;
}

absl::StatusOr<int> DataExports::DeleteExpired() { return store_.DeleteExpired(clock_.Now()); }

}  // namespace zhongtai::user
