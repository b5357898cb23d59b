// Real PostgreSQL and Redis for store tests, from the test harness (tests/harness/stores.sh):
// ZT_TEST_PG_DSN (a superuser DSN) and ZT_TEST_REDIS_ADDR. A missing variable FAILS the test
// instead of skipping it, so that CI cannot pass without the stores.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/pg/migrate.h"
#include "common/pg/pool.h"

namespace zhongtai::testing {

// A fresh, empty database zt_test_<random> on the harness server, dropped (WITH FORCE) when the
// object goes away.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // A DSN for the fresh database.
  const std::string& dsn() const { return dsn_; }
  const std::string& name() const { return name_; }

 private:
  std::string admin_dsn_;
  std::string name_;
  std::string dsn_;
};

// "host:port" of the harness Redis. Tests share it: use keys unique to the test (see UniqueName).
std::string RedisAddress();

// prefix + "_" + random lowercase hex, for names of keys, streams and groups private to one test.
std::string UniqueName(const std::string& prefix);

// The first column of the first row `sql` answers on `pool` (a count, a sum), in a transaction of its own; fails the
// test when the query cannot run.
int64_t Count(pg::Pool& pool, const std::string& sql);

// A pool of `size` connections named `name` on `database`, with every list of `migrations` applied in order (e.g.
// {events::SchemaMigrations(), Migrations()}); fails the test when either step does.
std::unique_ptr<pg::Pool> OpenMigrated(const TestDatabase& database, int size, const std::string& name,
                                       const std::vector<std::vector<pg::Migration>>& migrations);

}  // namespace zhongtai::testing
