// Personal data export (PIPL's right to a copy): POST /v1/users/me:export starts a job, the export worker gathers the
// archive from every service, GET /v1/users/me/exports/{exportId} answers its state and, once ready, the archive.
// Jobs are rows (ExportStore), so a restart loses none: a job whose worker died is taken again once its lease ends.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/user/domain/privacy_ports.h"

namespace zhongtai::user {

struct ExportSettings {
  // How long one gathering may take before another worker may take the job again.
  absl::Duration lease = absl::Minutes(2);
  // Gathering runs before the export fails for good, and the wait between them.
  int max_attempts = 3;
  absl::Duration retry_after = absl::Seconds(30);
  // How long a ready archive stays downloadable.
  absl::Duration archive_ttl = absl::Hours(24 * 7);
};

inline constexpr int kMaxExportRequestIdChars = 128;

class DataExports {
 public:
  DataExports(ExportStore& store, ArchiveGatherer& gatherer, ExportIds& ids, Clock& clock, ExportSettings settings = {})
      : store_(store), gatherer_(gatherer), ids_(ids), clock_(clock), settings_(settings) {}

  // A new export of the user's data, or the one already asked with this request id, or the one still pending.
  // INVALID_ARGUMENT REQUEST_ID_TOO_LONG (requestId).
  absl::StatusOr<DataExport> Request(const std::string& user_id, const std::string& request_id);
  // The user's export; NOT_FOUND DATA_EXPORT_NOT_FOUND for a missing one and for another user's alike.
  // INVALID_ARGUMENT EXPORT_ID_MISSING (exportId).
  absl::StatusOr<DataExport> Get(const std::string& user_id, const std::string& export_id);

  // The export worker's step: takes one due export, gathers its archive (waiting for the other services, so only
  // on a thread that may wait) and stores it, or gives up for now (for good after max_attempts). Returns whether
  // there was one. Errors are the store's; a failed gathering is not an error of this call.
  absl::StatusOr<bool> RunNext();
  // Deletes expired archives; returns how many.
  absl::StatusOr<int> DeleteExpired();

 private:
  ExportStore& store_;
  ArchiveGatherer& gatherer_;
  ExportIds& ids_;
  Clock& clock_;
  ExportSettings settings_;
};

}  // namespace zhongtai::user
