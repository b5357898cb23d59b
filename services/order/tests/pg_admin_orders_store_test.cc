// The back office's order queries and marketplace imports against a real PostgreSQL from the test harness: filters and
// keyset pages as an operator uses them, and one order per marketplace order under real concurrency.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/domain/page_tokens.h"
#include "services/order/domain/split.h"
#include "services/order/store/pg_admin_order_queries.h"
#include "services/order/store/pg_order_import_store.h"
#include "services/order/store/pg_order_store.h"
#include "services/order/tests/fakes.h"

namespace zhongtai::order {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

struct Db {
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  Db() {
    pool =
        zhongtai::testing::OpenMigrated(database, 16, "order-admin-test", {events::SchemaMigrations(), Migrations()});
  }
  int64_t Count(const std::string& sql) { return zhongtai::testing::Count(*pool, sql); }
};

// A placed order (PENDING_PAYMENT) of `user` on `channel`, created `minutes` after kT0, held in the warehouses given
// (two or more make child orders).
void Place(PgOrderStore& store, const std::string& id, const std::string& user, const std::string& channel, int minutes,
           std::vector<std::string> warehouses = {"wh-1"}) {
  Order order;
  order.order_id = id;
  order.user_id = user;
  order.request_id = "k-" + id;
  order.request_fingerprint = "f";
  order.channel = channel;
  order.created_at = kT0 + absl::Minutes(minutes);
  REQUIRE_FALSE(store.BeginPlacement(order)->has_value());
  std::vector<StockAllocation> allocations;
  for (size_t i = 0; i < warehouses.size(); ++i) {
    std::string sku = absl::StrCat("sku-", i);
    order.lines.push_back({sku, 2, 1000, 2000, 0, 2000, 1000, "list", 0});
    allocations.push_back({sku, warehouses[i], 2});
  }
  order.subtotal = order.total = 2000 * static_cast<int64_t>(warehouses.size());
  REQUIRE(SplitByWarehouse(allocations, order).ok());
  order.status = OrderStatus::kPendingPayment;
  order.pay_deadline = order.created_at + absl::Minutes(15);
  order.history.push_back({OrderStatus::kPendingPayment, order.created_at, "placed"});
  REQUIRE(store.CompletePlacement(order).ok());
}

std::vector<std::string> Ids(const OrderSummaryPage& page) {
  std::vector<std::string> ids;
  for (const OrderSummary& order : page.orders) ids.push_back(order.order_id);
  return ids;
}

TEST_CASE("the admin order list filters by state, time, channel, buyer and warehouse, newest first") {
  Db db;
  PgOrderStore store(*db.pool);
  PgAdminOrderQueries queries(*db.pool);
  Place(store, "o1", "u1", "web", 1);
  Place(store, "o2", "u2", "app", 2, {"wh-1", "wh-2"});
  Place(store, "o3", "u1", "tmall", 3, {"wh-3"});
  Place(store, "o4", "u3", "app", 4);
  REQUIRE(*store.Cancel("o4", OrderStatus::kPendingPayment, "CANCELLED_BY_BUYER", kT0 + absl::Minutes(5)));
  // An order whose saga is still running is not the back office's yet.
  Order creating;
  creating.order_id = "o5";
  creating.user_id = "u1";
  creating.request_id = "k-o5";
  creating.channel = "web";
  creating.created_at = kT0 + absl::Minutes(5);
  REQUIRE_FALSE(store.BeginPlacement(creating)->has_value());

  auto all = queries.ListOrders({}, 10, "");
  REQUIRE(all.ok());
  CHECK(Ids(*all) == std::vector<std::string>{"o4", "o3", "o2", "o1"});
  const OrderSummary& split = all->orders[2];
  CHECK(split.warehouse_ids == std::vector<std::string>{"wh-1", "wh-2"});
  CHECK(split.line_count == 2);
  CHECK(split.item_count == 4);
  CHECK(split.total == 4000);
  CHECK(split.buyer_id == "u2");
  CHECK(split.created_at == kT0 + absl::Minutes(2));

  AdminOrderFilter filter;
  filter.statuses = {OrderStatus::kCancelled};
  CHECK(Ids(*queries.ListOrders(filter, 10, "")) == std::vector<std::string>{"o4"});
  filter = {};
  filter.channel = "app";
  CHECK(Ids(*queries.ListOrders(filter, 10, "")) == std::vector<std::string>{"o4", "o2"});
  filter = {};
  filter.buyer_id = "u1";
  CHECK(Ids(*queries.ListOrders(filter, 10, "")) == std::vector<std::string>{"o3", "o1"});
  filter = {};
  filter.warehouse_id = "wh-2";  // only a child order ships from it
  CHECK(Ids(*queries.ListOrders(filter, 10, "")) == std::vector<std::string>{"o2"});
  filter.warehouse_id = "wh-1";
  CHECK(Ids(*queries.ListOrders(filter, 10, "")) == std::vector<std::string>{"o4", "o2", "o1"});
  filter = {};
  filter.created_after = kT0 + absl::Minutes(2);
  filter.created_before = kT0 + absl::Minutes(4);
  CHECK(Ids(*queries.ListOrders(filter, 10, "")) == std::vector<std::string>{"o3", "o2"});
}

TEST_CASE("admin order pages follow each other without gaps or repeats, ties on time broken by id") {
  Db db;
  PgOrderStore store(*db.pool);
  PgAdminOrderQueries queries(*db.pool);
  for (int i = 0; i < 7; ++i) Place(store, absl::StrCat("o", i), "u1", "web", i / 3);  // three share each minute
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = queries.ListOrders({}, 3, cursor);
    REQUIRE(page.ok());
    for (const std::string& id : Ids(*page)) seen.push_back(id);
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty());
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>{"o6", "o5", "o4", "o3", "o2", "o1", "o0"});
  CHECK(ReasonOf(queries.ListOrders({}, 3, "not-a-token").status()) == "PAGE_TOKEN_INVALID");
  // A made-up token whose time PostgreSQL cannot add to the epoch is refused, not a failed query (a 500).
  for (int64_t micros : {INT64_MAX, INT64_MIN, kLatestCursorMicros + 1}) {
    auto page = queries.ListOrders({}, 3, EncodeOrderCursor({micros, "o1"}));
    CHECK(ReasonOf(page.status()) == "PAGE_TOKEN_INVALID");
  }
  CHECK(queries.ListOrders({}, 3, EncodeOrderCursor({kLatestCursorMicros, "o9"})).ok());
}

TEST_CASE("concurrent claims of one marketplace order all answer the one that won") {
  Db db;
  PgOrderImportStore imports(*db.pool);
  std::vector<std::string> holders(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto holder = imports.Claim("jd", "JD-1", absl::StrCat("o", t), kT0);
      holders[t] = holder.ok() ? *holder : "error";
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(std::set<std::string>(holders.begin(), holders.end()).size() == 1);
  CHECK(holders[0] != "error");
  CHECK(db.Count("SELECT count(*) FROM order_imports") == 1);
  // A failed order's claim moves to the next attempt once.
  CHECK(*imports.Reclaim("jd", "JD-1", holders[0], "o-next"));
  CHECK_FALSE(*imports.Reclaim("jd", "JD-1", holders[0], "o-other"));
  CHECK(*imports.Claim("jd", "JD-1", "o-late", kT0) == "o-next");
}

// Ids safe to take from several threads.
class AtomicIds : public IdGenerator {
 public:
  std::string NewOrderId() override { return absl::StrCat("o", ++next_); }
  std::string NewPaymentId() override { return absl::StrCat("p", ++next_); }

 private:
  std::atomic<int> next_{0};
};

TEST_CASE("importing one marketplace order from several threads stores one order, waiting for shipment") {
  Db db;
  PgOrderStore store(*db.pool);
  PgOrderImportStore imports(*db.pool);
  PgAdminOrderQueries queries(*db.pool);
  testing::FakeCatalog catalog;
  catalog.available = {{"sku-a", 10}};
  catalog.price = {{"sku-a", 1000}};
  testing::FakeClock clock(kT0);
  AtomicIds ids;
  async::InlineExecutor blocking;
  OrderImports importer(store, imports, catalog, clock, ids, blocking);
  ImportOrderCommand command;
  command.channel = "pinduoduo";
  command.external_order_id = "PDD-77";
  command.buyer_id = "pdd-user";
  command.lines = {{"sku-a", 3, 900}};
  command.paid_amount = 2700;
  command.address = {"", "Li Lei", "13800000000", "440000", "440300", "440305", "Keyuan Rd 1"};

  std::vector<std::string> order_ids(6);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      auto imported = async::Await<absl::StatusOr<ImportResult>>(
          [&](Callback<ImportResult> done) { importer.Import(command, std::move(done)); });
      if (!imported.ok()) {
        ++failures;
        return;
      }
      order_ids[t] = imported->order.order_id;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(std::set<std::string>(order_ids.begin(), order_ids.end()).size() == 1);
  // The losers' drafts were failed at once, holding nothing; one order stands.
  CHECK(db.Count("SELECT count(*) FROM orders WHERE channel = 'pinduoduo' AND status <> 'FAILED'") == 1);
  CHECK(db.Count("SELECT count(*) FROM orders WHERE status = 'FAILED' AND NOT holds_released") == 0);
  CHECK(db.Count("SELECT count(*) FROM payments") == 1);
  CHECK(catalog.available["sku-a"] == 7);

  auto order = store.Get(order_ids[0]);
  REQUIRE(order.ok());
  CHECK(order->status == OrderStatus::kAwaitingShipment);
  CHECK(order->user_id == "pinduoduo:pdd-user");
  CHECK(order->history.back().status == OrderStatus::kAwaitingShipment);
  AdminOrderFilter filter;
  filter.statuses = {OrderStatus::kAwaitingShipment};
  filter.channel = "pinduoduo";
  auto listed = queries.ListOrders(filter, 10, "");
  REQUIRE(listed.ok());
  REQUIRE(listed->orders.size() == 1);
  CHECK(listed->orders[0].external_order_id == "PDD-77");
  CHECK(listed->orders[0].total == 2700);
  // Placed and paid events went out as for a shop order.
  CHECK(db.Count("SELECT count(*) FROM outbox WHERE stream = 'zt.events.order'") == 2);
}

}  // namespace
}  // namespace zhongtai::order
