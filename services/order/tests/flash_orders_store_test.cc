// The flash winners' consumer on a real PostgreSQL and Redis (label store): each winner on the stream becomes one
// unpaid order at the sale price with its OrderPlaced event, however often the entry is delivered, and the order
// then pays and cancels like any other.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/proto/convert.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/ingest/flash_orders.h"
#include "services/order/store/pg_order_store.h"
#include "zhongtai/marketing/v1/flash_sales.pb.h"

namespace zhongtai::order {
namespace {

struct World {
  testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pg;
  std::unique_ptr<redis::Pool> redis;
  std::string stream = testing::UniqueName("winners");
  FakeClock clock;
  OrderObserver observer;

  World() {
    pg = zhongtai::testing::OpenMigrated(database, 4, "order-flash-test", {events::SchemaMigrations(), Migrations()});
    auto redis_opened = redis::Pool::Open({testing::RedisAddress(), 2, absl::Seconds(2)});
    REQUIRE(redis_opened.ok());
    redis = std::move(*redis_opened);
  }

  // An entry as marketing's admission script appends it.
  void AddWinner(const std::string& purchase_id, const std::string& user) {
    marketing::v1::FlashSaleWon won;
    won.set_purchase_id(purchase_id);
    won.set_order_id("o_" + purchase_id);
    won.set_sale_id("fs_1");
    won.set_user_id(user);
    won.set_sku_id("sku_1");
    proto::SetMoney(won.mutable_sale_price(), "CNY", 990);
    REQUIRE(redis
                ->Command({"XADD", stream, "*", "id", purchase_id, "type", "zhongtai.marketing.v1.FlashSaleWon", "key",
                           "fs_1", "payload", won.SerializeAsString(), "occurred_at", "2026-12-03T10:00:00Z"})
                .ok());
  }

  int64_t Count(const std::string& sql) { return zhongtai::testing::Count(*pg, sql); }

  void Drain(events::StreamConsumer& consumer) {
    for (int i = 0; i < 10; ++i) {
      absl::StatusOr<int> handled = consumer.PollOnce();
      REQUIRE(handled.ok());
      if (*handled == 0) break;
    }
  }
};

TEST_CASE("each flash winner becomes one unpaid order at the sale price, whatever the redelivery") {
  World w;
  events::ConsumerOptions options;
  options.stream = w.stream;
  options.group = kFlashWinnerConsumerGroup;
  options.block = absl::Milliseconds(50);
  events::StreamConsumer consumer(*w.pg, *w.redis, options,
                                  MakeFlashWinnerHandler(w.clock, absl::Minutes(15), w.observer));
  w.AddWinner("fp_1", "u1");
  w.AddWinner("fp_2", "u2");
  w.AddWinner("fp_1", "u1");  // the same winner again (a relay or script retry)
  w.Drain(consumer);

  CHECK(w.Count("SELECT count(*) FROM orders") == 2);
  CHECK(w.Count("SELECT count(*) FROM orders WHERE status = 'PENDING_PAYMENT' AND channel = 'flash_sale' "
                "AND total = 990 AND order_id LIKE 'o_fp_%'") == 2);
  CHECK(w.Count("SELECT count(*) FROM order_lines WHERE quantity = 1 AND unit_price = 990") == 2);
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderPlaced'") == 2);

  // A second consumer group member that missed the inbox (e.g. the inbox row pruned) still adds nothing.
  events::ConsumerOptions again = options;
  again.group = "order-replay";
  events::StreamConsumer replay(*w.pg, *w.redis, again, MakeFlashWinnerHandler(w.clock, absl::Minutes(15), w.observer));
  w.Drain(replay);
  CHECK(w.Count("SELECT count(*) FROM orders") == 2);

  // The flash order is an order like any other: it can be claimed for payment and cancelled by the sweeper's path.
  PgOrderStore store(*w.pg);
  absl::StatusOr<Order> order = store.Get("o_fp_1");
  REQUIRE(order.ok());
  CHECK(order->user_id == "u1");
  CHECK(order->pay_deadline == w.clock.Now() + absl::Minutes(15));
  absl::StatusOr<bool> cancelled =
      store.Cancel("o_fp_2", OrderStatus::kPendingPayment, "payment timeout", w.clock.Now() + absl::Minutes(16));
  REQUIRE(cancelled.ok());
  CHECK(*cancelled);
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderCancelled'") == 1);
}

}  // namespace
}  // namespace zhongtai::order
