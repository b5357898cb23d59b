// PostgreSQL connection pool and transactions. libpqxx exceptions never leave this layer: Transact
// turns them into absl::Status with a reason (see Transact).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::pg {

struct PoolOptions {
  std::string dsn;
  int size = 8;
  absl::Duration acquire_timeout = absl::Seconds(2);
  std::string name;  // for logs, e.g. "order"
};

class Pool {
 public:
  // Connects all `size` connections eagerly; UNAVAILABLE (reason DB_UNAVAILABLE) if it cannot.
  static absl::StatusOr<std::unique_ptr<Pool>> Open(PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs fn in one transaction (pqxx::work) and commits it when fn returns OK. fn's non-OK status
  // rolls back and is returned as is. libpqxx exceptions thrown inside fn or at commit are mapped:
  //   unique_violation -> ALREADY_EXISTS (DB_UNIQUE_VIOLATION)
  //   check / not-null / foreign-key violation -> FAILED_PRECONDITION (DB_CONSTRAINT_VIOLATION)
  //   serialization_failure / deadlock_detected -> retried, up to `attempts` runs of fn in all,
  //     then ABORTED (DB_CONFLICT); fn must therefore be safe to run again
  //   connection lost before commit -> run again on a new connection (3 more runs at most), then DB_UNAVAILABLE
  //   commit outcome unknown -> UNAVAILABLE (DB_COMMIT_UNKNOWN)
  //   anything else -> INTERNAL (DB_ERROR); the message never carries SQL text
  // No free connection within acquire_timeout -> RESOURCE_EXHAUSTED (DB_POOL_EXHAUSTED).
  absl::Status Transact(const std::function<absl::Status(pqxx::work&)>& fn, int attempts = 3);

  // For a read, or a write that is the same when run twice: runs fn without BEGIN and COMMIT (two round trips fewer;
  // each statement commits as it runs), with Transact's mapping of errors and retries. A connection lost during fn
  // runs it again on a new connection, as Transact does, although a statement may have committed before the
  // connection went: so never a write whose second run answers differently (a guarded status change reports
  // "not moved"). Use Transact for anything that must commit together.
  absl::Status Autocommit(const std::function<absl::Status(pqxx::nontransaction&)>& fn);

  int size() const;
  int in_use() const;
  int waiting() const;
  const std::string& name() const { return options_.name; }

  // Closes idle connections now and the others as they are returned; later calls get UNAVAILABLE.
  void Close();

 private:
  struct Slot {
    std::unique_ptr<pqxx::connection> conn;
    bool broken = false;
  };
  class Lease;

  explicit Pool(PoolOptions options);
  template <typename Tx>
  absl::Status Run(const std::function<absl::Status(Tx&)>& fn, int attempts);
  absl::StatusOr<Slot*> Acquire();
  void Release(Slot* slot);
  absl::Status EnsureOpen(Slot& slot);

  PoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> idle_;
  int in_use_ = 0;
  int waiting_ = 0;
  bool closed_ = false;
};

}  // namespace zhongtai::pg
