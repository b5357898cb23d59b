// PgCartStore against a real PostgreSQL from the test harness, with real threads for the cart's limits.
#include "services/order/store/pg_cart_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/store/pg_buyer_erasure.h"

namespace zhongtai::order {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

struct Db {
  testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  Db() {
    pool = zhongtai::testing::OpenMigrated(database, 16, "order-cart-test", {events::SchemaMigrations(), Migrations()});
  }
};

absl::Status Add(PgCartStore& store, const std::string& user, const std::string& sku, int64_t quantity, absl::Time at,
                 CartRules rules = {}) {
  return store.Modify(user, [&](Cart& cart) { return AddToCart(cart, sku, quantity, at, rules); });
}

TEST_CASE("a stored cart keeps its lines newest first with quantity, selection and times") {
  Db db;
  PgCartStore store(*db.pool);
  REQUIRE(Add(store, "u1", "sku-a", 2, kT0).ok());
  REQUIRE(Add(store, "u1", "sku-b", 1, kT0 + absl::Seconds(1)).ok());
  REQUIRE(Add(store, "u1", "sku-a", 3, kT0 + absl::Seconds(2)).ok());
  REQUIRE(store
              .Modify("u1",
                      [](Cart& cart) {
                        return ChangeCartItem(cart, "sku-b", std::nullopt, false, kT0 + absl::Seconds(3), {});
                      })
              .ok());
  REQUIRE(Add(store, "u2", "sku-a", 1, kT0).ok());
  // A retried add (same request id) is stored as one.
  REQUIRE(store.Modify("u1", [](Cart& cart) { return AddToCart(cart, "sku-c", 1, kT0, {}, "key-1"); }).ok());
  REQUIRE(store.Modify("u1", [](Cart& cart) { return AddToCart(cart, "sku-c", 1, kT0, {}, "key-1"); }).ok());
  CHECK(FindItem(*store.Load("u1"), "sku-c")->quantity == 1);
  CHECK(FindItem(*store.Load("u1"), "sku-c")->last_add_request_id == "key-1");
  REQUIRE(store
              .Modify("u1",
                      [](Cart& cart) {
                        RemoveFromCart(cart, "sku-c");
                        return absl::OkStatus();
                      })
              .ok());

  auto cart = store.Load("u1");
  REQUIRE(cart.ok());
  REQUIRE(cart->items.size() == 2);
  CHECK(cart->items[0].sku_id == "sku-b");
  CHECK_FALSE(cart->items[0].selected);
  CHECK(cart->items[0].updated_at == kT0 + absl::Seconds(3));
  CHECK(cart->items[1].sku_id == "sku-a");
  CHECK(cart->items[1].quantity == 5);
  CHECK(cart->items[1].added_at == kT0);

  REQUIRE(store
              .Modify("u1",
                      [](Cart& cart) {
                        RemoveFromCart(cart, "sku-a");
                        return absl::OkStatus();
                      })
              .ok());
  CHECK(store.Load("u1")->items.size() == 1);
  CHECK(store.Load("u2")->items.size() == 1);
  CHECK(store.Load("nobody")->items.empty());
}

TEST_CASE("a refused change leaves the stored cart as it was") {
  Db db;
  PgCartStore store(*db.pool);
  REQUIRE(Add(store, "u1", "sku-a", 9000, kT0).ok());
  absl::Status refused = Add(store, "u1", "sku-a", 1000, kT0);
  CHECK(ReasonOf(refused) == "QUANTITY_TOO_LARGE");
  CHECK(store.Load("u1")->items[0].quantity == 9000);
}

TEST_CASE("concurrent adds to one stored cart never pass the line limit nor lose a quantity") {
  Db db;
  PgCartStore store(*db.pool);
  CartRules rules;
  rules.max_lines = 20;
  REQUIRE(Add(store, "u1", "sku-shared", 1, kT0, rules).ok());
  std::atomic<int> added{0}, full{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 6; ++i) {
        absl::Status status = Add(store, "u1", absl::StrCat("sku-", t, "-", i), 1, kT0, rules);
        if (status.ok()) {
          ++added;
        } else if (ReasonOf(status) == "CART_FULL") {
          ++full;
        } else {
          ++other;
        }
        // And everyone adds to one shared line.
        if (!Add(store, "u1", "sku-shared", 1, kT0, rules).ok()) ++other;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(other == 0);
  auto cart = store.Load("u1");
  REQUIRE(cart.ok());
  CHECK(cart->items.size() == 20);
  CHECK(added == 19);  // the shared line holds the 20th
  CHECK(full == 48 - 19);
  CHECK(FindItem(*cart, "sku-shared")->quantity == 1 + 48);
}

TEST_CASE("a checkout records the selected lines once per request id and takes them out of the cart once") {
  Db db;
  PgCartStore store(*db.pool);
  REQUIRE(Add(store, "u1", "sku-a", 2, kT0).ok());
  REQUIRE(Add(store, "u1", "sku-b", 1, kT0).ok());
  auto pick = [](const Cart& cart) { return SelectedLines(cart, "fromCart"); };

  auto lines = store.RecordCheckout("u1", "k1", kT0, pick);
  REQUIRE(lines.ok());
  CHECK(lines->size() == 2);
  // The cart changes; a repeat of the request still orders what was recorded.
  REQUIRE(Add(store, "u1", "sku-c", 1, kT0).ok());
  auto repeat = store.RecordCheckout("u1", "k1", kT0, pick);
  REQUIRE(repeat.ok());
  REQUIRE(repeat->size() == 2);
  CHECK((*repeat)[0].sku_id == (*lines)[0].sku_id);
  CHECK((*repeat)[0].quantity == (*lines)[0].quantity);

  // The buyer raised sku-b meanwhile: the order's unit leaves, the extra stays.
  REQUIRE(Add(store, "u1", "sku-b", 2, kT0).ok());
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto done = store.FinishCheckout("u1", "k1", "o1", kT0);
      if (done.ok() && *done) ++taken;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(taken == 1);
  auto cart = store.Load("u1");
  REQUIRE(cart.ok());
  CHECK(FindItem(*cart, "sku-a") == nullptr);
  REQUIRE(FindItem(*cart, "sku-b") != nullptr);
  CHECK(FindItem(*cart, "sku-b")->quantity == 2);
  CHECK(FindItem(*cart, "sku-c") != nullptr);
  CHECK_FALSE(*store.FinishCheckout("u1", "never-recorded", "o2", kT0));
}

TEST_CASE("a checkout with nothing selected records nothing") {
  Db db;
  PgCartStore store(*db.pool);
  REQUIRE(Add(store, "u1", "sku-a", 1, kT0).ok());
  REQUIRE(
      store.Modify("u1", [](Cart& cart) { return ChangeCartItem(cart, "sku-a", std::nullopt, false, kT0, {}); }).ok());
  auto pick = [](const Cart& cart) { return SelectedLines(cart, "fromCart"); };
  CHECK(ReasonOf(store.RecordCheckout("u1", "k1", kT0, pick).status()) == "CART_NOTHING_SELECTED");
  REQUIRE(
      store.Modify("u1", [](Cart& cart) { return ChangeCartItem(cart, "sku-a", std::nullopt, true, kT0, {}); }).ok());
  auto lines = store.RecordCheckout("u1", "k1", kT0, pick);
  REQUIRE(lines.ok());
  CHECK(lines->size() == 1);
}

TEST_CASE("erasing a buyer empties their cart and forgets their checkouts") {
  Db db;
  PgCartStore store(*db.pool);
  REQUIRE(Add(store, "u1", "sku-a", 1, kT0).ok());
  REQUIRE(Add(store, "u2", "sku-a", 1, kT0).ok());
  REQUIRE(store.RecordCheckout("u1", "k1", kT0, [](const Cart& cart) { return SelectedLines(cart, "fromCart"); }).ok());
  REQUIRE(db.pool->Transact([](pqxx::work& tx) { return AnonymiseBuyer(tx, "u1", kT0); }).ok());
  CHECK(store.Load("u1")->items.empty());
  CHECK(store.Load("u2")->items.size() == 1);
  CHECK_FALSE(*store.FinishCheckout("u1", "k1", "o1", kT0));
}

}  // namespace
}  // namespace zhongtai::order
