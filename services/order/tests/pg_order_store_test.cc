// PgOrderStore against a real PostgreSQL from the test harness.
#include "services/order/store/pg_order_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <thread>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/domain/page_tokens.h"
#include "services/order/domain/split.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::order {
namespace {

struct Db {
  testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  Db() {
    pool = zhongtai::testing::OpenMigrated(database, 24, "order-test", {events::SchemaMigrations(), Migrations()});
  }
  int64_t Count(const std::string& sql) { return zhongtai::testing::Count(*pool, sql); }
};

Order Draft(const std::string& id, const std::string& key, absl::Time at) {
  Order order;
  order.order_id = id;
  order.user_id = "u1";
  order.request_id = key;
  order.request_fingerprint = "v1|web|sku-1x2";
  order.channel = "web";
  order.created_at = at;
  return order;
}

Order Priced(Order order, absl::Time at) {
  order.lines = {{"sku-1", 2, 1500, 3000, 400, 2600, 1500, "list", 0}};
  order.subtotal = 3000;
  order.discount = 400;
  order.total = 2600;
  order.status = OrderStatus::kPendingPayment;
  order.pay_deadline = at + absl::Minutes(15);
  order.history.push_back({OrderStatus::kPendingPayment, at, "placed"});
  return order;
}

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST_CASE("an order placed and paid is stored with its lines, history, payment and outbox events") {
  Db db;
  PgOrderStore store(*db.pool);
  REQUIRE_FALSE(store.BeginPlacement(Draft("o1", "k1", kT0))->has_value());
  REQUIRE(store.CompletePlacement(Priced(Draft("o1", "k1", kT0), kT0)).ok());

  auto order = store.Get("o1");
  REQUIRE(order.ok());
  CHECK(order->status == OrderStatus::kPendingPayment);
  CHECK(order->total == 2600);
  REQUIRE(order->lines.size() == 1);
  CHECK(order->lines[0].discount == 400);
  CHECK(order->pay_deadline == kT0 + absl::Minutes(15));

  CHECK_FALSE(*store.HasPaidOrder("u1"));  // a new customer until an order is paid
  CHECK(*store.ClaimForPayment("o1", kT0 + absl::Minutes(1)));
  CHECK_FALSE(*store.ClaimForPayment("o1", kT0 + absl::Minutes(1)));
  Payment payment{"p1", "o1", 2600, "CNY", "local", kT0 + absl::Minutes(1)};
  CHECK(*store.MarkPaid(payment));
  CHECK(*store.HasPaidOrder("u1"));
  CHECK_FALSE(*store.HasPaidOrder("u2"));
  payment.payment_id = "p2";
  CHECK_FALSE(*store.MarkPaid(payment));
  CHECK(db.Count("SELECT count(*) FROM payments WHERE order_id = 'o1'") == 1);

  order = store.Get("o1");
  CHECK(order->status == OrderStatus::kPaid);
  REQUIRE(order->history.size() == 2);
  CHECK(order->history[1].status == OrderStatus::kPaid);
  CHECK(db.Count("SELECT count(*) FROM outbox WHERE stream = 'zt.events.order'") == 2);
  // OrderPlaced lists the lines the buyer pays for (the data hub's per-SKU sales): SKU, units, the line's total.
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                pqxx::row row =
                    tx.exec1("SELECT payload FROM outbox WHERE type = 'zhongtai.order.v1.OrderPlaced' AND key = 'o1'");
                v1::OrderPlaced placed;
                REQUIRE(placed.ParseFromString(pqxx::binarystring(row[0]).str()));
                REQUIRE(placed.lines_size() == 1);
                CHECK(placed.lines(0).sku_id() == "sku-1");
                CHECK(placed.lines(0).quantity() == 2);
                CHECK(placed.lines(0).amount().amount_minor() == 2600);
                CHECK(placed.lines(0).amount().currency() == placed.total().currency());
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("twenty concurrent placements with one request id insert one order") {
  Db db;
  PgOrderStore store(*db.pool);
  std::atomic<int> inserted{0}, replayed{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      auto result = store.BeginPlacement(Draft("o" + std::to_string(i), "same-key", kT0));
      if (!result.ok()) {
        ++failed;
      } else if (result->has_value()) {
        ++replayed;
      } else {
        ++inserted;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(inserted == 1);
  CHECK(replayed + failed == 19);
  CHECK(db.Count("SELECT count(*) FROM orders WHERE request_id = 'same-key'") == 1);
}

TEST_CASE("the open-orders cap holds under concurrent placements of one buyer, and a replay is answered past it") {
  Db db;
  PgOrderStore store(*db.pool);
  // One open order already, then 12 placements at once with a cap of 4: exactly 3 more get in.
  REQUIRE_FALSE(store.BeginPlacement(Draft("o-first", "k-first", kT0), 4)->has_value());
  std::atomic<int> inserted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      auto result = store.BeginPlacement(Draft("o-cap" + std::to_string(i), "k-cap" + std::to_string(i), kT0), 4);
      if (result.ok() && !result->has_value()) {
        ++inserted;
      } else if (!result.ok() && ReasonOf(result.status()) == "OPEN_ORDERS_LIMIT_REACHED") {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(inserted == 3);
  CHECK(refused == 9);
  CHECK(other == 0);
  CHECK(db.Count("SELECT count(*) FROM orders WHERE user_id = 'u1'") == 4);
  // A repeat of a placed request id is answered with its order whatever the count.
  auto replay = store.BeginPlacement(Draft("o-again", "k-first", kT0), 4);
  REQUIRE(replay.ok());
  REQUIRE(replay->has_value());
  CHECK((*replay)->order_id == "o-first");
  // A failed placement no longer counts; without a cap nothing is counted.
  REQUIRE(store.FailPlacement("o-first", FailedPrecondition("INSUFFICIENT_STOCK", "x"), kT0).ok());
  CHECK_FALSE(store.BeginPlacement(Draft("o-next", "k-next", kT0), 4)->has_value());
  CHECK_FALSE(store.BeginPlacement(Draft("o-free", "k-free", kT0))->has_value());
}

TEST_CASE("a cancel and a payment claim race: exactly one wins") {
  Db db;
  PgOrderStore store(*db.pool);
  REQUIRE_FALSE(store.BeginPlacement(Draft("o1", "k1", kT0))->has_value());
  REQUIRE(store.CompletePlacement(Priced(Draft("o1", "k1", kT0), kT0)).ok());
  std::atomic<int> wins{0};
  std::thread a([&] {
    if (*store.ClaimForPayment("o1", kT0)) ++wins;
  });
  std::thread b([&] {
    if (*store.Cancel("o1", OrderStatus::kPendingPayment, "buyer", kT0)) ++wins;
  });
  a.join();
  b.join();
  CHECK(wins == 1);
}

TEST_CASE("the sweeper's queries find overdue, interrupted and unreleased orders") {
  Db db;
  PgOrderStore store(*db.pool);
  REQUIRE_FALSE(store.BeginPlacement(Draft("o1", "k1", kT0))->has_value());
  REQUIRE(store.CompletePlacement(Priced(Draft("o1", "k1", kT0), kT0)).ok());
  REQUIRE_FALSE(store.BeginPlacement(Draft("o2", "k2", kT0))->has_value());

  CHECK(store.ListPaymentOverdue(kT0 + absl::Minutes(14), 10)->empty());
  CHECK(*store.ListPaymentOverdue(kT0 + absl::Minutes(16), 10) == std::vector<std::string>{"o1"});
  CHECK(*store.ListStale(OrderStatus::kCreating, kT0 + absl::Minutes(1), 10) == std::vector<std::string>{"o2"});
  CHECK_FALSE(*store.ClaimForPayment("o1", kT0 + absl::Minutes(16)));  // past the deadline

  REQUIRE(*store.Cancel("o1", OrderStatus::kPendingPayment, "PAYMENT_TIMEOUT", kT0 + absl::Minutes(16)));
  REQUIRE(store.FailPlacement("o2", absl::UnavailableError("down"), kT0).ok());
  auto unreleased = *store.ListUnreleased(10);
  std::sort(unreleased.begin(), unreleased.end());
  CHECK(unreleased == std::vector<std::string>{"o1", "o2"});
  REQUIRE(store.MarkHoldsReleased("o1").ok());
  CHECK(*store.ListUnreleased(10) == std::vector<std::string>{"o2"});
}

TEST_CASE("an order keeps its address snapshot, coupon, points and shipping, and its child orders per warehouse") {
  Db db;
  PgOrderStore store(*db.pool);
  Order draft = Draft("o1", "k1", kT0);
  draft.coupon_id = "c-1";
  draft.points_used = 300;
  REQUIRE_FALSE(store.BeginPlacement(draft)->has_value());
  // What an interrupted saga leaves is enough for the sweeper to release the coupon and the points.
  auto creating = store.Get("o1");
  REQUIRE(creating.ok());
  CHECK(creating->coupon_id == "c-1");
  CHECK(creating->points_used == 300);

  Order order = Priced(draft, kT0);
  order.lines = {{"sku-1", 3, 1500, 4500, 400, 4100, 1800, "member:gold", 200},
                 {"sku-2", 1, 999, 999, 0, 999, 999, "list", 100}};
  order.subtotal = 5499;
  order.discount = 400;
  order.shipping_fee = 1000;
  order.points_deduction = 300;
  order.total = 5499 - 400 + 1000 - 300;
  order.address = {"addr-1", "Li Lei", "13800000000", "440000", "440300", "440305", "Keyuan Rd 1, \"B\" tower"};
  REQUIRE(SplitByWarehouse({{"sku-1", "wh-b", 1}, {"sku-1", "wh-a", 2}, {"sku-2", "wh-b", 1}}, order).ok());
  REQUIRE(order.children.size() == 2);
  REQUIRE(store.CompletePlacement(order).ok());

  auto stored = store.Get("o1");
  REQUIRE(stored.ok());
  CHECK(stored->shipping_fee == 1000);
  CHECK(stored->points_used == 300);
  CHECK(stored->points_deduction == 300);
  CHECK(stored->total == order.total);
  CHECK(stored->coupon_id == "c-1");
  CHECK(stored->address.recipient_name == "Li Lei");
  CHECK(stored->address.recipient_phone == "13800000000");
  CHECK(stored->address.province_code == "440000");
  CHECK(stored->address.city_code == "440300");
  CHECK(stored->address.district_code == "440305");
  CHECK(stored->address.detail == "Keyuan Rd 1, \"B\" tower");
  REQUIRE(stored->lines.size() == 2);
  CHECK(stored->lines[0].price_rule == "member:gold");
  CHECK(stored->lines[0].list_price == 1800);
  CHECK(stored->lines[1].points_deduction == 100);
  // The children read back are the ones the domain split, amount by amount and line by line.
  REQUIRE(stored->children.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const ChildOrder& want = order.children[i];
    const ChildOrder& got = stored->children[i];
    CHECK(got.child_order_id == want.child_order_id);
    CHECK(got.warehouse_id == want.warehouse_id);
    CHECK(got.subtotal == want.subtotal);
    CHECK(got.discount == want.discount);
    CHECK(got.shipping_fee == want.shipping_fee);
    CHECK(got.points_deduction == want.points_deduction);
    CHECK(got.total == want.total);
    REQUIRE(got.lines.size() == want.lines.size());
    for (size_t j = 0; j < got.lines.size(); ++j) {
      CHECK(got.lines[j].sku_id == want.lines[j].sku_id);
      CHECK(got.lines[j].quantity == want.lines[j].quantity);
      CHECK(got.lines[j].discount == want.lines[j].discount);
      CHECK(got.lines[j].points_deduction == want.lines[j].points_deduction);
    }
  }
  CHECK(db.Count("SELECT sum(total) FROM child_orders WHERE order_id = 'o1'") == order.total);
  CHECK(db.Count("SELECT count(*) FROM child_order_lines WHERE line_no = 1") == 1);  // numbered within each child
}

TEST_CASE("a gift line keeps its promotion, split or not, and an order placed without its gift keeps the note") {
  Db db;
  PgOrderStore store(*db.pool);
  Order draft = Draft("o1", "k1", kT0);
  REQUIRE_FALSE(store.BeginPlacement(draft)->has_value());
  Order order = Priced(draft, kT0);
  OrderLine bought{"sku-1", 2, 1500, 3000, 0, 3000, 1500, "list", 0};
  OrderLine gift{"sku-1", 1, 0, 0, 0, 0, 0, "gift", 0};
  gift.gift_promotion_id = "promo-gift";
  OrderLine other_gift{"sku-2", 1, 0, 0, 0, 0, 0, "gift", 0};
  other_gift.gift_promotion_id = "promo-gift";
  order.lines = {bought, gift, other_gift};
  order.subtotal = 3000;
  order.total = 3000;
  REQUIRE(SplitByWarehouse({{"sku-1", "wh-a", 2}, {"sku-1", "wh-b", 1}, {"sku-2", "wh-b", 1}}, order).ok());
  REQUIRE(order.children.size() == 2);
  REQUIRE(store.CompletePlacement(order).ok());
  auto stored = store.Get("o1");
  REQUIRE(stored.ok());
  REQUIRE(stored->lines.size() == 3);
  CHECK_FALSE(stored->lines[0].IsGift());
  CHECK(stored->lines[1].gift_promotion_id == "promo-gift");
  CHECK(stored->lines[2].gift_promotion_id == "promo-gift");
  CHECK(stored->lines[1].unit_price == 0);
  CHECK(stored->gift_note.empty());
  // wh-a holds the two bought units; wh-b ships both gifts.
  REQUIRE(stored->children.size() == 2);
  REQUIRE(stored->children[1].lines.size() == 2);
  CHECK(stored->children[1].lines[0].gift_promotion_id == "promo-gift");
  CHECK(stored->children[1].lines[1].gift_promotion_id == "promo-gift");
  CHECK(db.Count("SELECT count(*) FROM child_order_lines WHERE gift_promotion_id = 'promo-gift'") == 2);

  Order without = Draft("o2", "k2", kT0);
  REQUIRE_FALSE(store.BeginPlacement(without)->has_value());
  Order placed = Priced(without, kT0);
  placed.gift_note = "GIFT_UNAVAILABLE: placed without the gift 1 x sku-9 (promotion promo-gift)";
  REQUIRE(store.CompletePlacement(placed).ok());
  auto noted = store.Get("o2");
  REQUIRE(noted.ok());
  CHECK(noted->gift_note == placed.gift_note);
}

TEST_CASE("a paid order is listed for its after-payment effects until they are applied, then awaits shipment") {
  Db db;
  PgOrderStore store(*db.pool);
  REQUIRE_FALSE(store.BeginPlacement(Draft("o1", "k1", kT0))->has_value());
  Order order = Priced(Draft("o1", "k1", kT0), kT0);
  order.warehouse_id = "wh-a";
  REQUIRE(store.CompletePlacement(order).ok());
  CHECK(store.Get("o1")->warehouse_id == "wh-a");
  REQUIRE(*store.ClaimForPayment("o1", kT0 + absl::Minutes(1)));
  REQUIRE(*store.MarkPaid({"p1", "o1", 2600, "CNY", "local", kT0 + absl::Minutes(1)}));
  CHECK(store.ListPaidEffectsPending(kT0 + absl::Seconds(30), 10)->empty());  // paid too recently
  CHECK(*store.ListPaidEffectsPending(kT0 + absl::Minutes(2), 10) == std::vector<std::string>{"o1"});
  REQUIRE(store.MarkPaidEffectsApplied("o1", kT0 + absl::Minutes(2)).ok());
  CHECK(store.ListPaidEffectsPending(kT0 + absl::Minutes(2), 10)->empty());
  Order paid = *store.Get("o1");
  CHECK(paid.status == OrderStatus::kAwaitingShipment);
  CHECK(paid.history.back().status == OrderStatus::kAwaitingShipment);
  CHECK(paid.history.back().at == kT0 + absl::Minutes(2));
  // Applying again (the sweeper after a lost answer) changes nothing.
  REQUIRE(store.MarkPaidEffectsApplied("o1", kT0 + absl::Minutes(3)).ok());
  CHECK(store.Get("o1")->history.size() == paid.history.size());
}

TEST_CASE("an order closed by a full refund before its paid effects were applied is still listed for them") {
  Db db;
  PgOrderStore store(*db.pool);
  REQUIRE_FALSE(store.BeginPlacement(Draft("o1", "k1", kT0))->has_value());
  REQUIRE(store.CompletePlacement(Priced(Draft("o1", "k1", kT0), kT0)).ok());
  REQUIRE(*store.ClaimForPayment("o1", kT0 + absl::Minutes(1)));
  REQUIRE(*store.MarkPaid({"p1", "o1", 2600, "CNY", "local", kT0 + absl::Minutes(1)}));
  // Applying the effects failed (the database restarted under them); the refund closed the order before the sweeper.
  REQUIRE(db.pool
              ->Transact([](pqxx::work& tx) {
                tx.exec("UPDATE orders SET status = 'CLOSED' WHERE order_id = 'o1'");
                return absl::OkStatus();
              })
              .ok());
  CHECK(*store.ListPaidEffectsPending(kT0 + absl::Minutes(3), 10) == std::vector<std::string>{"o1"});
  REQUIRE(store.MarkPaidEffectsApplied("o1", kT0 + absl::Minutes(3)).ok());
  CHECK(store.ListPaidEffectsPending(kT0 + absl::Minutes(3), 10)->empty());
  CHECK(store.Get("o1")->status == OrderStatus::kClosed);  // flagged, not moved
}

TEST_CASE("a user's orders page newest first, each exactly once, hiding failed ones") {
  Db db;
  PgOrderStore store(*db.pool);
  for (int i = 0; i < 7; ++i) {
    std::string id = "o" + std::to_string(i);
    absl::Time at = kT0 + absl::Seconds(i);
    REQUIRE_FALSE(store.BeginPlacement(Draft(id, "k" + std::to_string(i), at))->has_value());
    if (i == 3) {
      REQUIRE(store.FailPlacement(id, absl::UnavailableError("down"), at).ok());
    } else {
      REQUIRE(store.CompletePlacement(Priced(Draft(id, "k" + std::to_string(i), at), at)).ok());
    }
  }
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = store.ListByUser("u1", 4, cursor);
    REQUIRE(page.ok());
    for (const auto& order : page->orders) seen.push_back(order.order_id);
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  CHECK(seen == std::vector<std::string>{"o6", "o5", "o4", "o2", "o1", "o0"});
  CHECK(pages == 2);
  CHECK(store.ListByUser("u1", 4, "garbage!").status().code() == absl::StatusCode::kInvalidArgument);
  // A made-up token with a time PostgreSQL cannot add to the epoch is PAGE_TOKEN_INVALID, not a failed query.
  CHECK(ReasonOf(store.ListByUser("u1", 4, EncodeOrderCursor({INT64_MAX, "o1"})).status()) == "PAGE_TOKEN_INVALID");
  CHECK(ReasonOf(store.ListByUser("u1", 4, EncodeOrderCursor({INT64_MIN, "o1"})).status()) == "PAGE_TOKEN_INVALID");
}

}  // namespace
}  // namespace zhongtai::order
