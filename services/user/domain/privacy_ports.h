// What the privacy rights (data export, account erasure) need from the outside world.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async/callback.h"
#include "services/user/domain/ports.h"  // AccessTokenRevoker

namespace zhongtai::user {

enum class ExportState { kPending, kReady, kFailed };

// A customer's request for a copy of their data, and the archive once gathered.
struct DataExport {
  std::string export_id;
  std::string user_id;
  std::string request_id;  // the request's idempotency key; empty when none
  ExportState state = ExportState::kPending;
  int attempts = 0;  // gathering runs started
  absl::Time created_at;
  std::optional<absl::Time> completed_at;  // ready or failed
  std::optional<absl::Time> expires_at;    // a ready archive is deleted then
  std::string archive;                     // opaque to the domain (the api layer's serialized archive)
};

class ExportStore {
 public:
  virtual ~ExportStore() = default;
  // Stores `fresh` unless the user already has an export with the same non-empty request id, or one still pending:
  // then answers that one (and stores nothing).
  virtual absl::StatusOr<DataExport> CreateOrGetOpen(const DataExport& fresh) = 0;
  // The user's export, archive included; NOT_FOUND DATA_EXPORT_NOT_FOUND for a missing one and for another
  // user's alike.
  virtual absl::StatusOr<DataExport> Get(const std::string& export_id, const std::string& user_id) = 0;
  // Atomically takes the oldest pending export that no worker holds (none ever, or its lease ran out: that worker
  // died) and holds it until now + lease; counts the attempt. Several replicas never take the same one.
  virtual absl::StatusOr<std::optional<DataExport>> ClaimDue(absl::Time now, absl::Duration lease) = 0;
  virtual absl::Status Complete(const std::string& export_id, const std::string& archive, absl::Time now,
                                absl::Time expires_at) = 0;
  // Gives a claimed export up: failed for good when `final`, otherwise due again from `retry_at`.
  virtual absl::Status GiveUp(const std::string& export_id, bool final, absl::Time now, absl::Time retry_at) = 0;
  // Deletes archives past their expiry (and failed exports as old); returns how many.
  virtual absl::StatusOr<int> DeleteExpired(absl::Time now) = 0;
};

// Gathers one user's data from this service and every other one into one archive (serialized; the domain does not
// look inside). May block before it starts the calls to other services, so it is called from a thread that may
// wait (the export worker's own); `done` comes on any thread.
class ArchiveGatherer {
 public:
  virtual ~ArchiveGatherer() = default;
  virtual void Gather(const std::string& user_id, absl::Time as_of, async::Callback<std::string> done) = 0;
};

class ExportIds {
 public:
  virtual ~ExportIds() = default;
  virtual std::string NewExportId() = 0;
};

// What erasing one account removes, in one transaction.
struct Erasure {
  std::string user_id;
  // Failed-login counters are kept by the SHA-256 of the login; a phone's hash is easily reversed, so they go too.
  std::vector<std::string> login_keys;
  absl::Time erased_at;
  std::string event_id;  // of the UserErased event the store appends to the outbox: one per account
};

class ErasureStore {
 public:
  virtual ~ErasureStore() = default;
  // In one transaction: the account loses its personal data (email, phone, nickname, profile, password hash; the row
  // stays, marked erased, for the points ledger's and order growth's sake), its addresses, every session, its
  // exports, its failed-login counters, its tags, its membership tier and tier history and its lifecycle stage, and
  // the UserErased event goes to the outbox. NOT_FOUND USER_NOT_FOUND
  // when there is no such account or it is already erased.
  virtual absl::Status EraseAccount(const Erasure& erasure) = 0;
};

}  // namespace zhongtai::user
