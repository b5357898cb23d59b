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

absl::Status Pool::Transact(const std::function<absl::Status(pqxx::work&)>& fn, int attempts) {
  if (attempts < 1) attempts = 1;
  // A connection found broken before the transaction began (e.g. the server restarted since the
  // connection was last used) is reopened and the run repeated once without counting as an attempt.
  bool reconnected = false;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    absl::StatusOr<Slot*> acquired = Acquire();
    if (!acquired.ok()) return acquired.status();
    Slot& slot = **acquired;
    Lease lease(this, &slot);
    absl::Status opened = EnsureOpen(slot);
    if (!opened.ok()) return opened;

    std::unique_ptr<pqxx::work> tx;
    try {
      tx = std::make_unique<pqxx::work>(*slot.conn);
    } catch (const pqxx::broken_connection& e) {
      slot.broken = true;
      if (!reconnected) {
        reconnected = true;
        --attempt;
        continue;
      }
      log::Warn("database connection broken", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
      return Unavailable("DB_UNAVAILABLE", "database unavailable");
    } catch (const std::exception& e) {
      slot.broken = true;
      log::Error("database begin failed", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
      return Internal("DB_ERROR", "database error");
    }

    try {
      absl::Status status = fn(*tx);
      if (!status.ok()) return status;  // ~work rolls back
      tx->commit();
      return absl::OkStatus();
    } catch (const pqxx::serialization_failure& e) {
      // Retried below.
    } catch (const pqxx::deadlock_detected& e) {
      // Retried below.
    } catch (const pqxx::unique_violation& e) {
      return AlreadyExists("DB_UNIQUE_VIOLATION", "a row with the same key already exists");
    } catch (const pqxx::check_violation& e) {
      return FailedPrecondition("DB_CONSTRAINT_VIOLATION", "a check constraint was violated");
    } catch (const pqxx::not_null_violation& e) {
      return FailedPrecondition("DB_CONSTRAINT_VIOLATION", "a required value was missing");
    } catch (const pqxx::foreign_key_violation& e) {
      return FailedPrecondition("DB_CONSTRAINT_VIOLATION", "a referenced row does not exist");
    } catch (const pqxx::in_doubt_error& e) {
      slot.broken = true;
      log::Error("database commit outcome unknown", {{"pool", options_.name}});
      return Unavailable("DB_COMMIT_UNKNOWN", "database connection lost during commit");
    } catch (const pqxx::broken_connection& e) {
      slot.broken = true;
      log::Warn("database connection broken", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
      return Unavailable("DB_UNAVAILABLE", "database unavailable");
    } catch (const pqxx::sql_error& e) {
      log::Error("database error",
                 {{"pool", options_.name}, {"sqlstate", e.sqlstate()}, {"error", FirstLine(e.what())}});
      return Internal("DB_ERROR", "database error");
    } catch (const std::exception& e) {
      log::Error("database error", {{"pool", options_.name}, {"error", FirstLine(e.what())}});
      return Internal("DB_ERROR", "database error");
    }
    // Serialization failure or deadlock: the transaction was rolled back; run it again.
    tx.reset();
    if (attempt < attempts) {
      log::Debug("database transaction conflict, retrying",
                 {{"pool", options_.name}, {"attempt", absl::StrCat(attempt)}});
      Backoff(attempt);
    }
  }
  return Aborted("DB_CONFLICT", "transaction conflicted with another; retry");
}

}  // namespace zhongtai::pg
