#include "common/pg/migrate.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "common/status/status.h"
#include "common/testing/stores.h"

namespace zhongtai::pg {
namespace {

std::unique_ptr<Pool> OpenPool(const std::string& dsn) {
  auto pool = Pool::Open({dsn, 2, absl::Seconds(5), "test"});
  REQUIRE(pool.ok());
  return std::move(pool).value();
}

// The second migration is not idempotent by itself: running it twice would add two rows.
const std::vector<Migration>& Migrations() {
  static const auto* migrations = new std::vector<Migration>{
      {"0001_init", "CREATE TABLE things (id serial PRIMARY KEY, label text NOT NULL);"},
      {"0002_seed", "INSERT INTO things (label) VALUES ('seed'); ALTER TABLE things ADD COLUMN extra int;"},
  };
  return *migrations;
}

int64_t Count(Pool& pool, const std::string& sql) {
  int64_t n = -1;
  REQUIRE(pool.Transact([&](pqxx::work& tx) {
                n = tx.exec1(sql)[0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  return n;
}

TEST_CASE("Migrate applies migrations once and records them: running it again changes nothing") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn());
  REQUIRE(Migrate(*pool, Migrations()).ok());
  REQUIRE(Migrate(*pool, Migrations()).ok());
  CHECK(Count(*pool, "SELECT count(*) FROM things") == 1);
  CHECK(Count(*pool, "SELECT count(*) FROM schema_migrations WHERE name IN ('0001_init', '0002_seed')") == 2);

  // A later release adds a migration: only it runs.
  auto more = Migrations();
  more.push_back({"0003_more", "INSERT INTO things (label, extra) VALUES ('more', 1);"});
  REQUIRE(Migrate(*pool, more).ok());
  CHECK(Count(*pool, "SELECT count(*) FROM things") == 2);
}

TEST_CASE("Migrate from several replicas at once applies each migration exactly once") {
  testing::TestDatabase db;
  constexpr int kReplicas = 4;
  std::vector<std::unique_ptr<Pool>> pools;
  for (int i = 0; i < kReplicas; ++i) pools.push_back(OpenPool(db.dsn()));
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*pools[i], Migrations()); });
  }
  for (auto& t : threads) t.join();
  for (const auto& status : results) CHECK(status.ok());
  CHECK(Count(*pools[0], "SELECT count(*) FROM things") == 1);
  CHECK(Count(*pools[0], "SELECT count(*) FROM schema_migrations") == 2);
}

TEST_CASE("A failing migration leaves nothing behind and names itself") {
  testing::TestDatabase db;
  auto pool = OpenPool(db.dsn());
  auto broken = Migrations();
  broken.push_back({"0003_broken", "CREATE TABLE half (id int); SELECT no_such_thing;"});
  absl::Status status = Migrate(*pool, broken);
  CHECK(!status.ok());
  CHECK(ReasonOf(status) == "MIGRATION_FAILED");
  CHECK(std::string(status.message()).find("0003_broken") != std::string::npos);
  CHECK(Count(*pool, "SELECT count(*) FROM schema_migrations") == 2);
  CHECK(Count(*pool, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half'") == 0);
}

}  // namespace
}  // namespace zhongtai::pg
