#include "common/testing/stores.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <pqxx/pqxx>

#include "common/ids/ids.h"
#include "common/pg/pool.h"

namespace zhongtai::testing {
namespace {

std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    FAIL(name << " is not set: start the stores with tests/harness/stores.sh and source stores.env");
    return {};
  }
  return value;
}

// The same DSN pointed at another database; handles URIs and key=value strings.
std::string WithDatabase(const std::string& dsn, const std::string& database) {
  if (dsn.rfind("postgres://", 0) == 0 || dsn.rfind("postgresql://", 0) == 0) {
    std::string::size_type authority = dsn.find("://") + 3;
    std::string::size_type query = dsn.find('?', authority);
    std::string::size_type slash = dsn.find('/', authority);
    std::string base = dsn.substr(0, std::min(slash, query));
    std::string rest = query == std::string::npos ? "" : dsn.substr(query);
    return base + "/" + database + rest;
  }
  return dsn + " dbname=" + database;  // a later keyword overrides an earlier one
}

}  // namespace

TestDatabase::TestDatabase() : admin_dsn_(RequiredEnv("ZT_TEST_PG_DSN")), name_("zt_test_" + ids::RandomHex(16)) {
  dsn_ = WithDatabase(admin_dsn_, name_);
  try {
    pqxx::connection conn(admin_dsn_);
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE DATABASE " + name_);
  } catch (const std::exception& e) {
    FAIL("cannot create test database " << name_ << ": " << e.what());
  }
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection conn(admin_dsn_);
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // A leftover zt_test_ database is harmless; the harness folder is thrown away.
  }
}

std::string RedisAddress() { return RequiredEnv("ZT_TEST_REDIS_ADDR"); }

std::string UniqueName(const std::string& prefix) { return prefix + "_" + ids::RandomHex(12); }

int64_t Count(pg::Pool& pool, const std::string& sql) {
  int64_t n = -1;
  REQUIRE(pool.Transact([&](pqxx::work& tx) {
                n = tx.exec(sql)[0][0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  return n;
}

std::unique_ptr<pg::Pool> OpenMigrated(const TestDatabase& database, int size, const std::string& name,
                                       const std::vector<std::vector<pg::Migration>>& migrations) {
  auto opened = pg::Pool::Open({database.dsn(), size, absl::Seconds(5), name});
  REQUIRE(opened.ok());
  std::vector<pg::Migration> all;
  for (const std::vector<pg::Migration>& list : migrations) all.insert(all.end(), list.begin(), list.end());
  REQUIRE(pg::Migrate(**opened, all).ok());
  return std::move(*opened);
}

}  // namespace zhongtai::testing
