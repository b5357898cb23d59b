// Returned goods booked on a real PostgreSQL (label store): sellable goods back on hand with a ledger row, damaged
// goods counted apart, and a return booked once however often (and however concurrently) it is sent.
#include "services/product/store/pg_returned_goods_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"

namespace zhongtai::product {
namespace {

int64_t Query(PgFixture& f, const std::string& sql, const std::string& param) {
  int64_t n = -1;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                n = tx.exec_params(sql, param)[0][0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  return n;
}

TEST_CASE("returned goods: sellable back on hand once per return, damaged counted apart", "[store]") {
  PgFixture f;
  Product phone = f.AddProduct("Phone", {{"P-1", 5}});
  const std::string sku = phone.skus[0].sku_id;
  PgReturnedGoodsStore store(*f.pool);
  ReturnedGoodsIntake intake(store, f.clock);
  const int64_t on_hand_before = f.Stock(sku).first;

  ReturnedGoods sellable{"ret-1", "default", {{sku, 2}}, false};
  std::atomic<int> booked{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto done = intake.Book(sellable);
      if (!done.ok()) ++failed;
      if (done.ok() && *done) ++booked;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(failed == 0);
  CHECK(booked == 1);
  CHECK(f.Stock(sku).first == on_hand_before + 2);
  CHECK(Query(f, "SELECT count(*) FROM stock_ledger WHERE kind = 'return_in' AND reference = $1", "ret-1") == 1);
  // Goods back on hand are one StockChanged, however often the return was sent.
  CHECK(Query(f,
              "SELECT count(*) FROM outbox o JOIN stock_ledger l ON o.id = 'stock:' || l.entry_id "
              "WHERE o.type = 'zhongtai.product.v1.StockChanged' AND l.kind = 'return_in' AND l.reference = $1",
              "ret-1") == 1);

  ReturnedGoods damaged{"ret-2", "default", {{sku, 1}}, true};
  REQUIRE(*intake.Book(damaged));
  CHECK_FALSE(*intake.Book(damaged));
  CHECK(f.Stock(sku).first == on_hand_before + 2);  // not available
  CHECK(Query(f, "SELECT sum(damaged) FROM stock WHERE sku_id = $1", sku) == 1);
  CHECK(Query(f, "SELECT count(*) FROM stock_ledger WHERE reference = $1", "ret-2") == 0);  // no movement, no event

  CHECK(ReasonOf(intake.Book({"ret-3", "nowhere", {{sku, 1}}, false}).status()) == "WAREHOUSE_NOT_FOUND");
  CHECK(ReasonOf(intake.Book({"ret-3", "default", {{"no-such-sku", 1}}, false}).status()) == "SKU_NOT_FOUND");
  CHECK(FieldOf(intake.Book({"ret-3", "default", {{sku, 0}}, false}).status()) == "lines[0].quantity");
  CHECK(FieldOf(intake.Book({"", "default", {{sku, 1}}, false}).status()) == "returnId");
}

}  // namespace
}  // namespace zhongtai::product
