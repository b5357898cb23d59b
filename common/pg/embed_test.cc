#include <catch2/catch.hpp>

#include "migrations.h"

TEST_CASE("zt_embed_migrations embeds every .sql in name order, byte for byte") {
  const auto& migrations = zhongtai::pg::fixture::Migrations();
  REQUIRE(migrations.size() == 2);
  CHECK(migrations[0].name == "0001_init");
  CHECK(migrations[1].name == "0002_more");
  CHECK(migrations[0].sql.find(R"(a backslash \n and a raw-string look-alike )sql" that)") != std::string::npos);
  CHECK(migrations[0].sql.find("'it''s fine; really'") != std::string::npos);
  CHECK(migrations[1].sql.rfind("ALTER TABLE fixture_items", 0) == 0);
}
