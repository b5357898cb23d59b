#include "common/pg/pool.h"

#include <chrono>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::pg {
namespace {

// The first line of a server message: the primary text without DETAIL/QUERY lines, which may
// carry row values or SQL.
std::string FirstLine(const char* what) {
  std::string text(what == nullptr ? "" : what);
  auto end = text.find('\n');
  if (end != std::string::npos) text.resize(end);
  if (text.size() > 200) text.resize(200);
  return text;
}

// Runs repeated after a lost connection, on top of `attempts`: one for a stale connection, two more while a server
// restarts (about 20 and 40 ms later, with jitter).
constexpr int kLostConnectionRetries = 3;

// The server ended the connection (fast shutdown or crash of the server, a terminated backend, a server not accepting
// connections yet) or the connection failed (class 08). Before a commit was sent nothing of the transaction
// committed, so it may run again on a new connection.
bool ConnectionLost(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03";
}

void Backoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  int base_ms = 5 << std::min(attempt, 5);
  std::uniform_int_distribution<int> jitter(0, base_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(base_ms + jitter(rng)));
}

}  // namespace

class Pool::Lease {
 public:
  Lease(Pool* pool, Slot* slot) : pool_(pool), slot_(slot) {}
  ~Lease() { pool_->Release(slot_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

 private:
  Pool* pool_;
  Slot* slot_;
};

Pool::Pool(PoolOptions options) : options_(std::move(options)) {}

Pool::~Pool() { Close(); }

absl::StatusOr<std::unique_ptr<Pool>> Pool::Open(PoolOptions options) {
  if (options.size < 1) {
    return Error(absl::StatusCode::kInvalidArgument, "DB_POOL_INVALID", "pool size must be at least 1");
  }
  std::unique_ptr<Pool> pool(new Pool(std::move(options)));
  for (int i = 0; i < pool->options_.size; ++i) {
    auto slot = std::make_unique<Slot>();
    absl::Status status = pool->EnsureOpen(*slot);
    if (!status.ok()) return status;
    pool->idle_.push_back(slot.get());
    pool->slots_.push_back(std::move(slot));
  }
  return pool;
}

absl::Status Pool::EnsureOpen(Slot& slot) {
  if (slot.conn != nullptr && !slot.broken && slot.conn->is_open()) return absl::OkStatus();
  slot.conn.reset();
  try {
    slot.conn = std::make_unique<pqxx::connection>(options_.dsn);
    slot.broken = false;
    return absl::OkStatus();
  } catch (const std::exception& e) {
    slot.broken = true;
    log::Warn("database connect failed", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
    return Unavailable("DB_UNAVAILABLE", "database unavailable");
  }
}

absl::StatusOr<Pool::Slot*> Pool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!closed_ && idle_.empty()) {
    ++waiting_;
    bool got = cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.acquire_timeout),
                            [this] { return closed_ || !idle_.empty(); });
    --waiting_;
    if (!got) {
      return Error(absl::StatusCode::kResourceExhausted, "DB_POOL_EXHAUSTED", "no database connection free in time");
    }
  }
  if (closed_) return Unavailable("DB_POOL_CLOSED", "database pool is closed");
  Slot* slot = idle_.back();
  idle_.pop_back();
  ++in_use_;
  return slot;
}

void Pool::Release(Slot* slot) {
  std::lock_guard<std::mutex> lock(mu_);
  --in_use_;
  if (closed_) {
    slot->conn.reset();
  } else {
    idle_.push_back(slot);
  }
  cv_.notify_one();
}

void Pool::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (Slot* slot : idle_) slot->conn.reset();
  cv_.notify_all();
}

int Pool::size() const { return options_.size; }

int Pool::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_use_;
}

int Pool::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

template <typename Tx>
absl::Status Pool::Run(const std::function<absl::Status(Tx&)>& fn, int attempts) {
  if (attempts < 1) attempts = 1;
  // One run of fn on one connection. kConflict: rolled back by a serialization failure or deadlock; kLost: the
  // connection was lost before the commit was sent (nothing of it committed), or could not be opened.
  enum class Kind { kDone, kConflict, kLost };
  struct Outcome {
    Kind kind;
    absl::Status status;
  };
  auto lost = [this](Slot& slot, const char* what) {
    slot.broken = true;
    log::Warn("database connection lost", {{"pool", options_.name}, {"error", FirstLine(what)}});
    return Outcome{Kind::kLost, Unavailable("DB_UNAVAILABLE", "database unavailable")};
  };
  auto run_once = [&]() -> Outcome {
    absl::StatusOr<Slot*> acquired = Acquire();
    if (!acquired.ok()) return {Kind::kDone, acquired.status()};
    Slot& slot = **acquired;
    Lease lease(this, &slot);
    absl::Status opened = EnsureOpen(slot);
    if (!opened.ok()) return {Kind::kLost, opened};

    std::unique_ptr<Tx> tx;
    try {
      tx = std::make_unique<Tx>(*slot.conn);
    } catch (const pqxx::broken_connection& e) {
      return lost(slot, e.what());
    } catch (const pqxx::sql_error& e) {
      if (ConnectionLost(e)) return lost(slot, e.what());
      slot.broken = true;
      log::Error("database begin failed", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
      return {Kind::kDone, Internal("DB_ERROR", "database error")};
    } catch (const std::exception& e) {
      slot.broken = true;
      log::Error("database begin failed", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
      return {Kind::kDone, Internal("DB_ERROR", "database error")};
    }

    bool committing = false;
    try {
      absl::Status status = fn(*tx);
      if (!status.ok()) return {Kind::kDone, status};  // ~work rolls back
      committing = true;
      tx->commit();
      return {Kind::kDone, absl::OkStatus()};
    } catch (const pqxx::serialization_failure& e) {
      return {Kind::kConflict, absl::OkStatus()};
    } catch (const pqxx::deadlock_detected& e) {
      return {Kind::kConflict, absl::OkStatus()};
    } catch (const pqxx::unique_violation& e) {
      return {Kind::kDone, AlreadyExists("DB_UNIQUE_VIOLATION", "a row with the same key already exists")};
    } catch (const pqxx::check_violation& e) {
      return {Kind::kDone, FailedPrecondition("DB_CONSTRAINT_VIOLATION", "a check constraint was violated")};
    } catch (const pqxx::not_null_violation& e) {
      return {Kind::kDone, FailedPrecondition("DB_CONSTRAINT_VIOLATION", "a required value was missing")};
    } catch (const pqxx::foreign_key_violation& e) {
      return {Kind::kDone, FailedPrecondition("DB_CONSTRAINT_VIOLATION", "a referenced row does not exist")};
    } catch (const pqxx::in_doubt_error& e) {
      slot.broken = true;
      log::Error("database commit outcome unknown", {{"pool", options_.name}});
      return {Kind::kDone, Unavailable("DB_COMMIT_UNKNOWN", "database connection lost during commit")};
    } catch (const pqxx::broken_connection& e) {
      if (committing) {  // the commit may have reached the server: never run fn again
        slot.broken = true;
        log::Error("database commit outcome unknown", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
        return {Kind::kDone, Unavailable("DB_COMMIT_UNKNOWN", "database connection lost during commit")};
      }
      return lost(slot, e.what());
    } catch (const pqxx::sql_error& e) {
      if (ConnectionLost(e) && !committing) return lost(slot, e.what());
      if (ConnectionLost(e)) slot.broken = true;
      log::Error("database error",
                 {{"pool", options_.name}, {"sqlstate", e.sqlstate()}, {"error", FirstLine(e.what())}});
      return {Kind::kDone, Internal("DB_ERROR", "database error")};
    } catch (const std::exception& e) {
      log::Error("database error", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
      return {Kind::kDone, Internal("DB_ERROR", "database error")};
    }
  };

  int conflicts = 0;
  int losses = 0;
  for (;;) {
    Outcome outcome = run_once();  // the connection is back in the pool before any wait below
    switch (outcome.kind) {
      case Kind::kDone: return outcome.status;
      case Kind::kConflict:
        // Serialization failure or deadlock: the transaction was rolled back; run it again.
        if (++conflicts >= attempts) return Aborted("DB_CONFLICT", "transaction conflicted with another; retry");
        log::Debug("database transaction conflict, retrying",
                   {{"pool", options_.name}, {"attempt", absl::StrCat(conflicts)}});
        Backoff(conflicts);
        break;
      case Kind::kLost:
        // A connection lost before its commit (the server restarted since the connection was last used, or went
        // away during fn): nothing committed, so fn runs again on a new connection, at once the first time (a stale
        // connection), after a short backoff later (the server may be starting again). Then UNAVAILABLE, at once.
        if (++losses > kLostConnectionRetries) return outcome.status;
        if (losses > 1) Backoff(losses + 1);
        break;
    }
  }
}

absl::Status Pool::Transact(const std::function<absl::Status(pqxx::work&)>& fn, int attempts) {
  return Run<pqxx::work>(fn, attempts);
}

absl::Status Pool::Autocommit(const std::function<absl::Status(pqxx::nontransaction&)>& fn) {
  return Run<pqxx::nontransaction>(fn, 3);
}

}  // namespace zhongtai::pg
