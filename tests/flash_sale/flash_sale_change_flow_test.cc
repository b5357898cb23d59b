// An admin's change of a flash sale on a real Redis and two real PostgreSQL databases (marketing's and the product
// center's), with the same code the services run, the product's Inventory standing in for its gRPC API: an increase
// before the start reserves more of the SKU's stock (and one past the stock is refused with nothing moved); a cut of a
// running sale stops admissions at the new quantity under concurrent buyers and gives the rest back to the product,
// and a cut below the units taken is refused.
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "services/marketing/domain/flash_sales.h"
#include "services/marketing/store/pg_flash_sale_store.h"
#include "services/marketing/store/redis_flash_admission.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/store/pg_product_store.h"
#include "tests/flash_sale/migrated_pool.h"

// Each service's embedded migrations (their generated headers share one name).
namespace zhongtai::marketing {
const std::vector<pg::Migration>& Migrations();
}
namespace zhongtai::product {
const std::vector<pg::Migration>& Migrations();
}

namespace zhongtai {
namespace {

// The product center's side of marketing's FlashSaleStock, what its ReserveStock / ResizeReservation /
// SettleReservation handlers call.
class ProductStock : public marketing::FlashSaleStock {
 public:
  explicit ProductStock(product::Inventory& inventory) : inventory_(inventory) {}
  void Reserve(const marketing::FlashSale& sale, absl::Duration ttl, async::StatusCallback done) override {
    done(inventory_.Reserve(sale.sale_id, {{sale.sku_id, sale.quantity}}, ttl).status());
  }
  void Resize(const std::string& sale_id, int64_t quantity, absl::Duration ttl, const std::string& key,
              async::StatusCallback done) override {
    done(inventory_.Resize(sale_id, quantity, key, ttl).status());
  }
  void Settle(const std::string& sale_id, int64_t sold, async::StatusCallback done) override {
    done(inventory_.Settle(sale_id, sold).status());
  }

 private:
  product::Inventory& inventory_;
};

class Ids : public marketing::FlashSaleIds {
 public:
  std::string NewSaleId() override { return "fs_" + std::to_string(++n_); }
  std::string NewPurchaseId() override { return marketing::kFlashPurchaseIdPrefix + std::to_string(++n_); }

 private:
  std::atomic<int64_t> n_{0};
};

struct World {
  testing::TestDatabase marketing_db;
  testing::TestDatabase product_db;
  std::unique_ptr<pg::Pool> marketing_pg =
      testing::OpenMigrated(marketing_db, marketing::Migrations(), "flash-change-test");
  std::unique_ptr<pg::Pool> product_pg = testing::OpenMigrated(product_db, product::Migrations(), "flash-change-test");
  std::unique_ptr<redis::Pool> redis;
  SystemClock clock;
  product::PgProductStore product_store{*product_pg};
  product::RandomIdGenerator product_ids{clock};
  product::InventoryObserver observer;
  product::Inventory inventory{product_store, clock, observer};
  product::Catalog catalog{product_store, clock, product_ids};
  marketing::PgFlashSaleStore store{*marketing_pg};
  std::unique_ptr<marketing::RedisFlashAdmission> admission;
  ProductStock stock{inventory};
  Ids ids;
  async::InlineExecutor blocking;
  std::unique_ptr<marketing::FlashSales> sales;
  std::string sku;

  explicit World(int64_t on_hand) {
    auto opened = redis::Pool::Open({testing::RedisAddress(), 8, absl::Seconds(2)});
    REQUIRE(opened.ok());
    redis = std::move(*opened);
    admission = std::make_unique<marketing::RedisFlashAdmission>(*redis, testing::UniqueName("fs") + ":",
                                                                 testing::UniqueName("winners"));
    sales = std::make_unique<marketing::FlashSales>(store, *admission, stock, clock, ids, blocking);
    auto category = catalog.CreateCategory("Phones", "", "");
    REQUIRE(category.ok());
    product::NewProduct request;
    request.title = "Phone";
    request.category_id = category->category_id;
    product::NewSku new_sku;
    new_sku.sku_code = "P1";
    new_sku.price = {"CNY", 1999};
    new_sku.initial_stock = on_hand;
    new_sku.attributes = {{"color", "black"}};
    request.skus.push_back(new_sku);
    auto created = catalog.CreateProduct(request);
    REQUIRE(created.ok());
    REQUIRE(product_pg
                ->Transact([&](pqxx::work& tx) {
                  tx.exec_params("UPDATE products SET status = 'published' WHERE product_id = $1", created->product_id);
                  return absl::OkStatus();
                })
                .ok());
    sku = created->skus.at(0).sku_id;
  }

  marketing::FlashSale Open(int64_t quantity, absl::Time start, int64_t limit) {
    marketing::FlashSale draft;
    draft.name = "change flow";
    draft.sku_id = sku;
    draft.sale_price = 100;
    draft.quantity = quantity;
    draft.per_user_limit = limit;
    draft.start_time = start;
    draft.end_time = clock.Now() + absl::Hours(2);
    absl::StatusOr<marketing::FlashSale> sale = absl::UnknownError("not created");
    sales->Create(draft, "create-1", [&](absl::StatusOr<marketing::FlashSale> s) { sale = std::move(s); });
    INFO(sale.status().ToString());
    REQUIRE(sale.ok());
    return *sale;
  }
  // (on hand, reserved) of the SKU in the product's database.
  std::pair<int64_t, int64_t> Stock() {
    std::pair<int64_t, int64_t> level{-1, -1};
    REQUIRE(product_pg
                ->Transact([&](pqxx::work& tx) {
                  pqxx::row row = tx.exec_params1(
                      "SELECT sum(on_hand)::bigint, sum(reserved)::bigint FROM stock WHERE sku_id = $1", sku);
                  level = {row[0].as<int64_t>(), row[1].as<int64_t>()};
                  return absl::OkStatus();
                })
                .ok());
    return level;
  }
  int64_t StoredQuantity(const std::string& sale_id) { return store.Get(sale_id)->value().quantity; }
};

TEST_CASE("more units before the start are reserved from the product, and refused past its stock") {
  World w(30);
  const marketing::FlashSale sale = w.Open(5, w.clock.Now() + absl::Hours(1), 2);
  CHECK(w.Stock() == std::make_pair<int64_t, int64_t>(30, 5));

  marketing::FlashSaleChange more;
  more.quantity = 12;
  more.per_user_limit = 3;
  more.expected_version = sale.version;
  absl::StatusOr<marketing::CreatedFlashSale> changed = w.sales->Update(sale.sale_id, more, false);
  REQUIRE(changed.ok());
  CHECK(changed->sale.quantity == 12);
  CHECK(changed->sale.version == 2);
  CHECK(w.Stock() == std::make_pair<int64_t, int64_t>(30, 12));
  CHECK(*w.admission->Remaining(sale.sale_id) == std::optional<int64_t>(12));

  // 40 units cannot be held from 30 on hand: refused, and the product, PostgreSQL and Redis keep 12.
  more.quantity = 40;
  more.expected_version = 2;
  absl::StatusOr<marketing::CreatedFlashSale> refused = w.sales->Update(sale.sale_id, more, false);
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(refused.status()) == "INSUFFICIENT_STOCK");
  CHECK(w.Stock() == std::make_pair<int64_t, int64_t>(30, 12));
  CHECK(w.StoredQuantity(sale.sale_id) == 12);
  CHECK(*w.admission->Remaining(sale.sale_id) == std::optional<int64_t>(12));

  // A change on a stale version is refused before anything moves.
  more.quantity = 20;
  more.expected_version = 1;
  CHECK(ReasonOf(w.sales->Update(sale.sale_id, more, false).status()) == "VERSION_CONFLICT");
  CHECK(w.Stock() == std::make_pair<int64_t, int64_t>(30, 12));

  // Fewer before the start: the units go back to the product's available stock.
  marketing::FlashSaleChange fewer;
  fewer.quantity = 4;
  REQUIRE(w.sales->Update(sale.sale_id, fewer, false).ok());
  CHECK(w.Stock() == std::make_pair<int64_t, int64_t>(30, 4));
  CHECK(*w.admission->Remaining(sale.sale_id) == std::optional<int64_t>(4));
}

TEST_CASE("a running sale cut to fewer units stops admissions at the new quantity under concurrent buyers") {
  World w(100);
  const marketing::FlashSale sale = w.Open(60, w.clock.Now() - absl::Minutes(1), 50);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(w.sales->Purchase(absl::StrCat("early-", i), sale.sale_id, "k").ok());
  }
  // Below the 10 units taken: refused with the field.
  marketing::FlashSaleChange cut;
  cut.quantity = 9;
  absl::StatusOr<marketing::CreatedFlashSale> refused = w.sales->Update(sale.sale_id, cut, false);
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(refused.status()) == "FLASH_SALE_QUANTITY_BELOW_SOLD");
  CHECK(FieldOf(refused.status()) == "flashSale.quantity");
  // Raising it while running is not allowed either.
  cut.quantity = 61;
  CHECK(ReasonOf(w.sales->Update(sale.sale_id, cut, false).status()) == "FLASH_SALE_STARTED");

  // Cut to 25 while 8 threads try 2000 purchases: exactly 25 winners in all, never more.
  std::atomic<int> wins{0}, sold_out{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      while (!go) std::this_thread::yield();
      for (int i = 0; i < 250; ++i) {
        const int n = t * 250 + i;
        absl::StatusOr<marketing::FlashPurchase> p =
            w.sales->Purchase(absl::StrCat("buyer-", n % 300), sale.sale_id, absl::StrCat("k", n));
        if (p.ok()) {
          ++wins;
        } else if (ReasonOf(p.status()) == "FLASH_SALE_SOLD_OUT") {
          ++sold_out;
        } else {
          ++other;
        }
      }
    });
  }
  cut.quantity = 25;
  go = true;
  absl::StatusOr<marketing::CreatedFlashSale> changed = w.sales->Update(sale.sale_id, cut, false);
  for (auto& thread : threads) thread.join();
  if (changed.ok()) {
    CHECK(changed->sale.quantity == 25);
    CHECK(10 + wins.load() == 25);
    CHECK(w.Stock() == std::make_pair<int64_t, int64_t>(100, 25));  // 35 units back to the product
    CHECK(w.StoredQuantity(sale.sale_id) == 25);
  } else {
    // The buyers were faster than the cut: it is refused as below the units taken, and the sale sold its 60.
    CHECK(ReasonOf(changed.status()) == "FLASH_SALE_QUANTITY_BELOW_SOLD");
    CHECK(10 + wins.load() == 60);
  }
  CHECK(other == 0);
  CHECK(*w.admission->Remaining(sale.sale_id) == std::optional<int64_t>(0));

  // Ending it now closes it to everyone.
  marketing::FlashSaleChange end;
  end.end_now = true;
  REQUIRE(w.sales->Update(sale.sale_id, end, false).ok());
  absl::StatusOr<marketing::FlashPurchase> late = w.sales->Purchase("late", sale.sale_id, "k-late");
  CHECK(ReasonOf(late.status()) == "FLASH_SALE_ENDED");
}

}  // namespace
}  // namespace zhongtai
