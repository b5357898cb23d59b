// PgExperimentStore on a real PostgreSQL (label store): experiments round trip with their arms, and one exposure
// (with its event) per user and experiment however many quotes.
#include "services/marketing/store/pg_experiment_store.h"

#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"
#include "migrations.h"

namespace zhongtai::marketing {

TEST_CASE("experiments round trip and expose each user once", "[store]") {
  zhongtai::testing::TestDatabase database;
  auto pool = pg::Pool::Open({database.dsn(), 4, absl::Seconds(30), "marketing-experiment-test"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> all = events::SchemaMigrations();
  all.insert(all.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, all).ok());
  PgExperimentStore store(**pool);

  const absl::Time now = absl::FromUnixSeconds(1800000000);
  Experiment e;
  e.experiment_id = "ex_1";
  e.request_id = "req-1";
  e.name = "折扣力度";
  e.start_time = now - absl::Hours(1);
  e.end_time = now + absl::Hours(1);
  e.created_at = now;
  e.arms = {{"a", 3000, {"pr_1", "pr_2"}, {}}, {"b", 7000, {}, {{"sku_1", "CNY", 8900}, {"sku_2", "CNY", 0}}}};
  auto created = store.Create(e);
  REQUIRE(created.ok());
  CHECK(created->created);
  Experiment replayed = e;
  replayed.experiment_id = "ex_2";
  auto replay = store.Create(replayed);
  REQUIRE(replay.ok());
  CHECK_FALSE(replay->created);
  CHECK(replay->experiment.experiment_id == "ex_1");
  REQUIRE(replay->experiment.arms.size() == 2);
  CHECK(replay->experiment.arms[0].promotion_ids == std::vector<std::string>{"pr_1", "pr_2"});
  CHECK(replay->experiment.arms[1].traffic_bp == 7000);
  // The arms' prices come back with their arm.
  CHECK(replay->experiment.arms[0].prices.empty());
  REQUIRE(replay->experiment.arms[1].prices.size() == 2);
  CHECK(replay->experiment.arms[1].prices[0].sku_id == "sku_1");
  CHECK(replay->experiment.arms[1].prices[0].currency == "CNY");
  CHECK(replay->experiment.arms[1].prices[0].price == 8900);
  CHECK(replay->experiment.arms[1].prices[1].price == 0);
  REQUIRE(store.ListRunning(now)->front().arms[1].prices.size() == 2);

  CHECK(store.ListRunning(now)->size() == 1);
  CHECK(store.ListRunning(now + absl::Hours(1))->empty());
  CHECK(store.List("", 10)->size() == 1);
  CHECK(store.List("ex_1", 10)->empty());

  for (int i = 0; i < 3; ++i) REQUIRE(store.RecordExposure({"ex_1", "a"}, "u1", now).ok());
  REQUIRE(store.RecordExposure({"ex_1", "b"}, "u2", now).ok());
  int64_t events = 0;
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                events = tx.exec_params1("SELECT count(*) FROM outbox WHERE type = $1",
                                         "zhongtai.marketing.v1.ExperimentExposure")[0]
                             .as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(events == 2);
}

}  // namespace zhongtai::marketing
