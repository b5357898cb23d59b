// For the user service's store tests of tags, lifecycle and member lists: a migrated throw-away database and
// customers created as registration would.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/pg/time.h"
#include "common/testing/stores.h"
#include "migrations.h"

namespace zhongtai::user::testing {

struct SegmentDb {
  SegmentDb() {
    auto opened = pg::Pool::Open({database.dsn(), 12, absl::Seconds(20), "segments-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, migrations).ok());
  }

  void AddCustomer(const std::string& user_id, const std::string& nickname, absl::Time registered_at,
                   const std::string& role = "customer") {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  tx.exec_params(
                      "INSERT INTO users (user_id, email, nickname, role, password_hash, created_at, "
                      "updated_at) VALUES ($1, $1 || '@example.com', $2, $3, 'x', zt_ts($4), zt_ts($4))",
                      user_id, nickname, role, pg::Micros(registered_at));
                  return absl::OkStatus();
                })
                .ok());
  }

  void Exec(const std::string& sql) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  tx.exec(sql);
                  return absl::OkStatus();
                })
                .ok());
  }

  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
};

}  // namespace zhongtai::user::testing
