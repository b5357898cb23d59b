#include "common/pg/pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status/status.h"
#include "common/testing/stores.h"

namespace zhongtai::pg {
namespace {

std::unique_ptr<Pool> OpenPool(const std::string& dsn, int size = 4,
                               absl::Duration acquire_timeout = absl::Seconds(2)) {
  auto pool = Pool::Open({dsn, size, acquire_timeout, "test"});
  REQUIRE(pool.ok());
  return std::move(pool).value();
}

absl::Status Exec(Pool& pool, const std::string& sql) {
  return pool.Transact([&](pqxx::work& tx) {
    tx.exec(sql);
    return absl::OkStatus();
  });
}

int64_t CountItems(Pool& pool) {
  int64_t count = -1;
  REQUIRE(pool.Transact([&](pqxx::work& tx) {
                count = tx.exec1("SELECT count(*) FROM items")[0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  return count;
}

TEST_CASE("Transact commits what fn did when fn returns OK") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn());
  REQUIRE(Exec(*pool, "CREATE TABLE items (id text PRIMARY KEY, qty int CHECK (qty >= 0))").ok());
  REQUIRE(pool->Transact([](pqxx::work& tx) {
                tx.exec_params("INSERT INTO items VALUES ($1, $2)", "a", 1);
                return absl::OkStatus();
              })
              .ok());
  CHECK(CountItems(*pool) == 1);
  CHECK(pool->in_use() == 0);
}

TEST_CASE("Transact rolls back and returns fn's error") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn());
  REQUIRE(Exec(*pool, "CREATE TABLE items (id text PRIMARY KEY, qty int CHECK (qty >= 0))").ok());
  absl::Status status = pool->Transact([](pqxx::work& tx) {
    tx.exec_params("INSERT INTO items VALUES ($1, $2)", "a", 1);
    return FailedPrecondition("OUT_OF_STOCK", "no");
  });
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(status) == "OUT_OF_STOCK");
  CHECK(CountItems(*pool) == 0);
}

TEST_CASE("Transact maps database errors to status codes without SQL text") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn());
  REQUIRE(Exec(*pool, "CREATE TABLE items (id text PRIMARY KEY, qty int NOT NULL CHECK (qty >= 0))").ok());
  REQUIRE(Exec(*pool, "INSERT INTO items VALUES ('a', 1)").ok());

  absl::Status duplicate = Exec(*pool, "INSERT INTO items VALUES ('a', 2)");
  CHECK(duplicate.code() == absl::StatusCode::kAlreadyExists);
  CHECK(ReasonOf(duplicate) == "DB_UNIQUE_VIOLATION");
  CHECK(std::string(duplicate.message()).find("INSERT") == std::string::npos);

  absl::Status check = Exec(*pool, "INSERT INTO items VALUES ('b', -1)");
  CHECK(check.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(check) == "DB_CONSTRAINT_VIOLATION");
  CHECK(Exec(*pool, "INSERT INTO items VALUES ('c', NULL)").code() == absl::StatusCode::kFailedPrecondition);

  absl::Status bad = Exec(*pool, "SELECT no_such_column FROM items");
  CHECK(bad.code() == absl::StatusCode::kInternal);
  CHECK(ReasonOf(bad) == "DB_ERROR");
  CHECK(std::string(bad.message()).find("no_such_column") == std::string::npos);

  // The whole transaction is undone: the first insert of a failed batch is gone.
  CHECK(pool->Transact([](pqxx::work& tx) {
              tx.exec("INSERT INTO items VALUES ('d', 1)");
              tx.exec("INSERT INTO items VALUES ('a', 1)");
              return absl::OkStatus();
            })
            .code() == absl::StatusCode::kAlreadyExists);
  CHECK(CountItems(*pool) == 1);
  CHECK(pool->in_use() == 0);
}

// Makes fn's transaction lose a write-write race: it reads under REPEATABLE READ, another session
// then updates and commits the row, and fn's own update fails with serialization_failure.
void UpdateAfterConcurrentWrite(pqxx::work& tx, const std::string& dsn) {
  tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  tx.exec("SELECT n FROM counter WHERE id = 1");
  {
    pqxx::connection other(dsn);
    pqxx::work other_tx(other);
    other_tx.exec("UPDATE counter SET n = n + 100 WHERE id = 1");
    other_tx.commit();
  }
  tx.exec("UPDATE counter SET n = n + 1 WHERE id = 1");
}

TEST_CASE("Transact runs fn again after a serialization failure, then gives up with ABORTED") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn());
  REQUIRE(Exec(*pool, "CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)").ok());
  REQUIRE(Exec(*pool, "INSERT INTO counter VALUES (1, 0)").ok());
  int runs = 0;
  absl::Status status = pool->Transact([&](pqxx::work& tx) {
    ++runs;
    if (runs == 1) {
      UpdateAfterConcurrentWrite(tx, db.dsn());
    } else {
      tx.exec("UPDATE counter SET n = n + 1 WHERE id = 1");
    }
    return absl::OkStatus();
  });
  CHECK(status.ok());
  CHECK(runs == 2);

  runs = 0;
  status = pool->Transact(
      [&](pqxx::work& tx) {
        ++runs;
        UpdateAfterConcurrentWrite(tx, db.dsn());
        return absl::OkStatus();
      },
      /*attempts=*/3);
  CHECK(status.code() == absl::StatusCode::kAborted);
  CHECK(ReasonOf(status) == "DB_CONFLICT");
  CHECK(runs == 3);
  // 1 from the retried run, 100 from each of the four competing commits.
  int n = -1;
  REQUIRE(pool->Transact([&](pqxx::work& tx) {
                n = tx.exec1("SELECT n FROM counter")[0].as<int>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(n == 401);
}

TEST_CASE("Serializable read-modify-write from many threads loses no update thanks to retries") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 4);
  REQUIRE(Exec(*pool, "CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)").ok());
  REQUIRE(Exec(*pool, "INSERT INTO counter VALUES (1, 0)").ok());
  constexpr int kThreads = 4;
  constexpr int kIncrements = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        absl::Status s = pool->Transact(
            [](pqxx::work& tx) {
              tx.exec("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
              int n = tx.exec1("SELECT n FROM counter WHERE id = 1")[0].as<int>();
              tx.exec_params("UPDATE counter SET n = $1 WHERE id = 1", n + 1);
              return absl::OkStatus();
            },
            /*attempts=*/50);
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  int n = -1;
  REQUIRE(pool->Transact([&](pqxx::work& tx) {
                n = tx.exec1("SELECT n FROM counter")[0].as<int>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(n == kThreads * kIncrements);
}

TEST_CASE("An exhausted pool answers RESOURCE_EXHAUSTED after the acquire timeout") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 1, absl::Milliseconds(200));
  std::mutex mu;
  std::condition_variable cv;
  bool holding = false;
  bool release = false;
  std::thread holder([&] {
    (void)pool->Transact([&](pqxx::work&) {
      std::unique_lock<std::mutex> lock(mu);
      holding = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      return absl::OkStatus();
    });
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return holding; });
  }
  CHECK(pool->in_use() == 1);
  absl::Time start = absl::Now();
  absl::Status status = Exec(*pool, "SELECT 1");
  CHECK(absl::Now() - start >= absl::Milliseconds(190));
  CHECK(status.code() == absl::StatusCode::kResourceExhausted);
  CHECK(ReasonOf(status) == "DB_POOL_EXHAUSTED");
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  holder.join();
  CHECK(Exec(*pool, "SELECT 1").ok());
}

TEST_CASE("A waiter gets the connection as soon as it is returned") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 1, absl::Seconds(5));
  std::atomic<bool> started{false};
  std::thread holder([&] {
    (void)pool->Transact([&](pqxx::work& tx) {
      started = true;
      tx.exec("SELECT pg_sleep(0.3)");
      return absl::OkStatus();
    });
  });
  while (!started) std::this_thread::yield();
  CHECK(Exec(*pool, "SELECT 1").ok());
  holder.join();
}

TEST_CASE("A connection killed by the server is reopened on next use") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 1);
  int pid = 0;
  REQUIRE(pool->Transact([&](pqxx::work& tx) {
                pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
                return absl::OkStatus();
              })
              .ok());
  {
    pqxx::connection admin(db.dsn());
    pqxx::nontransaction tx(admin);
    tx.exec_params("SELECT pg_terminate_backend($1)", pid);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int new_pid = 0;
  absl::Status status = pool->Transact([&](pqxx::work& tx) {
    new_pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
    return absl::OkStatus();
  });
  CHECK(status.ok());
  CHECK(new_pid != pid);
}

TEST_CASE("A connection lost in the middle of a transaction runs the transaction again on a new one") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 2);
  REQUIRE(Exec(*pool, "CREATE TABLE items (id text PRIMARY KEY, qty int)").ok());
  int runs = 0;
  absl::Status status = pool->Transact([&](pqxx::work& tx) {
    ++runs;
    tx.exec("INSERT INTO items VALUES ('a', 1)");
    // The server ends this very session before the commit (as a fast shutdown or a restart does to every session).
    if (runs == 1) tx.exec("SELECT pg_terminate_backend(pg_backend_pid())");
    return absl::OkStatus();
  });
  CHECK(status.ok());
  CHECK(runs == 2);
  CHECK(CountItems(*pool) == 1);  // the first run's insert never committed
  CHECK(pool->in_use() == 0);
}

TEST_CASE("Autocommit runs a statement without a transaction and maps errors as Transact does") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 1);
  REQUIRE(Exec(*pool, "CREATE TABLE items (id text PRIMARY KEY, qty int CHECK (qty >= 0))").ok());
  bool in_transaction = true;
  REQUIRE(pool->Autocommit([&](pqxx::nontransaction& tx) {
                tx.exec_params("INSERT INTO items VALUES ($1, $2)", "a", 1);
                // No BEGIN was sent: the session is idle between statements, not in a transaction block.
                in_transaction = tx.exec1("SELECT now() <> statement_timestamp()")[0].as<bool>();
                return absl::OkStatus();
              })
              .ok());
  CHECK_FALSE(in_transaction);
  CHECK(CountItems(*pool) == 1);
  absl::Status duplicate = pool->Autocommit([](pqxx::nontransaction& tx) {
    tx.exec_params("INSERT INTO items VALUES ($1, $2)", "a", 2);
    return absl::OkStatus();
  });
  CHECK(ReasonOf(duplicate) == "DB_UNIQUE_VIOLATION");
  absl::Status negative = pool->Autocommit([](pqxx::nontransaction& tx) {
    tx.exec_params("UPDATE items SET qty = -1 WHERE id = $1", "a");
    return absl::OkStatus();
  });
  CHECK(ReasonOf(negative) == "DB_CONSTRAINT_VIOLATION");
  CHECK(pool->in_use() == 0);
}

TEST_CASE("Autocommit runs an idempotent statement again after the connection was lost, on a new one") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 1);
  REQUIRE(Exec(*pool, "CREATE TABLE items (id text PRIMARY KEY, qty int)").ok());
  int runs = 0;
  absl::Status status = pool->Autocommit([&](pqxx::nontransaction& tx) {
    ++runs;
    tx.exec("INSERT INTO items VALUES ('a', 1) ON CONFLICT DO NOTHING");  // commits as it runs
    if (runs == 1) tx.exec("SELECT pg_terminate_backend(pg_backend_pid())");
    return absl::OkStatus();
  });
  CHECK(status.ok());
  CHECK(runs == 2);
  CHECK(CountItems(*pool) == 1);  // the first run's insert stayed, the second changed nothing
  CHECK(pool->in_use() == 0);
}

TEST_CASE("Every connection ended by the server (a restart): the next transactions all succeed") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 4);
  REQUIRE(Exec(*pool, "CREATE TABLE items (id text PRIMARY KEY, qty int)").ok());
  {
    pqxx::connection admin(db.dsn());
    pqxx::nontransaction tx(admin);
    tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        db.name());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      absl::Status status = pool->Transact([&](pqxx::work& tx) {
        tx.exec_params("INSERT INTO items VALUES ($1, 1)", std::to_string(i));
        return absl::OkStatus();
      });
      if (status.ok()) ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == 8);
  CHECK(CountItems(*pool) == 8);
}

TEST_CASE("A server that stays away answers UNAVAILABLE within a short time, not after the acquire timeout") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 1, absl::Seconds(5));
  {
    pqxx::connection admin(std::getenv("ZT_TEST_PG_DSN"));
    pqxx::nontransaction tx(admin);
    // New sessions of this database are refused from now on, and the pool's one session is ended.
    tx.exec("ALTER DATABASE " + tx.quote_name(db.name()) + " ALLOW_CONNECTIONS false");
    tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        db.name());
  }
  absl::Time start = absl::Now();
  absl::Status status = Exec(*pool, "SELECT 1");
  CHECK(status.code() == absl::StatusCode::kUnavailable);
  CHECK(ReasonOf(status) == "DB_UNAVAILABLE");
  CHECK(absl::Now() - start < absl::Seconds(2));
  {
    pqxx::connection admin(std::getenv("ZT_TEST_PG_DSN"));
    pqxx::nontransaction tx(admin);
    tx.exec("ALTER DATABASE " + tx.quote_name(db.name()) + " ALLOW_CONNECTIONS true");
  }
  CHECK(Exec(*pool, "SELECT 1").ok());
}

TEST_CASE("Open fails with UNAVAILABLE when the server cannot be reached: Close refuses later calls") {
  auto unreachable =
      Pool::Open({"postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2", 2, absl::Seconds(1), "test"});
  CHECK(unreachable.status().code() == absl::StatusCode::kUnavailable);

  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn(), 2);
  pool->Close();
  CHECK(Exec(*pool, "SELECT 1").code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace zhongtai::pg
