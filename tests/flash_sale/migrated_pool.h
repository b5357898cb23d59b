// A pool on a test database with the shared event tables and one service's migrations applied: the flash sale flow
// tests put two services' schemas on two real databases.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"

namespace zhongtai::testing {

inline std::unique_ptr<pg::Pool> OpenMigrated(const TestDatabase& db, const std::vector<pg::Migration>& own,
                                              const std::string& application) {
  auto opened = pg::Pool::Open({db.dsn(), 8, absl::Seconds(10), application});
  REQUIRE(opened.ok());
  std::vector<pg::Migration> all = events::SchemaMigrations();
  all.insert(all.end(), own.begin(), own.end());
  REQUIRE(pg::Migrate(**opened, all).ok());
  return std::move(*opened);
}

}  // namespace zhongtai::testing
