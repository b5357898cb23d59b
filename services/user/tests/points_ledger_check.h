// The points ledger's invariant on PostgreSQL, checked by store tests after every scenario: balance = sum of the
// ledger = points left in the lots, never negative, each entry's balance_after the running sum, and every hold's
// points what it took from its lots.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "common/pg/pool.h"

namespace zhongtai::user::testing {

inline int64_t LedgerQuery(pg::Pool& pool, const std::string& sql, const std::string& user) {
  int64_t value = 0;
  REQUIRE(pool.Transact([&](pqxx::work& tx) {
                value = tx.exec_params(sql, user)[0][0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  return value;
}

inline void CheckPointsLedger(pg::Pool& pool, const std::string& user) {
  INFO("ledger of " << user);
  const int64_t balance =
      LedgerQuery(pool, "SELECT COALESCE(MAX(balance), 0) FROM points_accounts WHERE user_id = $1", user);
  CHECK(balance >= 0);
  CHECK(balance ==
        LedgerQuery(pool, "SELECT COALESCE(SUM(delta), 0)::bigint FROM points_ledger WHERE user_id = $1", user));
  CHECK(balance ==
        LedgerQuery(pool, "SELECT COALESCE(SUM(remaining), 0)::bigint FROM points_lots WHERE user_id = $1", user));
  CHECK(0 == LedgerQuery(pool,
                         "SELECT count(*) FROM (SELECT balance_after, SUM(delta) OVER (ORDER BY seq) AS running "
                         "FROM points_ledger WHERE user_id = $1) e WHERE balance_after <> running",
                         user));
  CHECK(0 == LedgerQuery(pool,
                         "SELECT count(*) FROM points_holds h WHERE user_id = $1 AND points <> "
                         "(SELECT COALESCE(SUM(points), 0) FROM points_hold_takes t WHERE t.order_id = h.order_id)",
                         user));
}

}  // namespace zhongtai::user::testing
