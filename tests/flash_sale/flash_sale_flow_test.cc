// A flash sale from the buyers to the orders on a real Redis and two real PostgreSQL databases (marketing's and the
// order center's), with the same code the services run: 10000 attempts of 400 buyers from 8 threads on 50 units with
// a limit of 2 end with exactly 50 winners, 50 purchases recorded, 50 orders at the sale price and no buyer over the
// limit; a cancelled order gives its unit back to the next buyer; after Redis lost the sale it is rebuilt from
// PostgreSQL and still never sells more than the quantity.
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "services/marketing/domain/flash_sales.h"
#include "services/marketing/ingest/flash_sale_events.h"
#include "services/marketing/store/pg_flash_sale_store.h"
#include "services/marketing/store/redis_flash_admission.h"
#include "services/order/ingest/flash_orders.h"
#include "tests/flash_sale/migrated_pool.h"
#include "zhongtai/order/v1/events.pb.h"

// Each service's embedded migrations (their generated headers share one name).
namespace zhongtai::marketing {
const std::vector<pg::Migration>& Migrations();
}
namespace zhongtai::order {
const std::vector<pg::Migration>& Migrations();
}

namespace zhongtai {
namespace {

using zhongtai::testing::Count;

// The product center always holds the quantity; its side is tested in the product service.
class HeldStock : public marketing::FlashSaleStock {
 public:
  void Reserve(const marketing::FlashSale&, absl::Duration, async::StatusCallback done) override {
    done(absl::OkStatus());
  }
  void Resize(const std::string&, int64_t, absl::Duration, const std::string&, async::StatusCallback done) override {
    done(absl::OkStatus());
  }
  void Settle(const std::string&, int64_t, async::StatusCallback done) override { done(absl::OkStatus()); }
};

class Ids : public marketing::FlashSaleIds {
 public:
  std::string NewSaleId() override { return "fs_" + std::to_string(++n_); }
  std::string NewPurchaseId() override { return marketing::kFlashPurchaseIdPrefix + std::to_string(++n_); }

 private:
  std::atomic<int64_t> n_{0};
};

void Drain(events::StreamConsumer& consumer) {
  for (int idle = 0; idle < 2;) {
    absl::StatusOr<int> handled = consumer.PollOnce();
    REQUIRE(handled.ok());
    idle = *handled == 0 ? idle + 1 : 0;
  }
}

events::ConsumerOptions Options(const std::string& stream, const std::string& group) {
  events::ConsumerOptions options;
  options.stream = stream;
  options.group = group;
  options.block = absl::Milliseconds(50);
  options.batch = 100;
  return options;
}

// Marketing's and the order center's databases, one Redis, and the flash-sale code the services run.
struct Flow {
  Flow() {
    marketing_pg = testing::OpenMigrated(marketing_db, marketing::Migrations(), "flash-flow-test");
    order_pg = testing::OpenMigrated(order_db, order::Migrations(), "flash-flow-test");
    auto redis_opened = redis::Pool::Open({testing::RedisAddress(), 8, absl::Seconds(2)});
    REQUIRE(redis_opened.ok());
    redis = std::move(*redis_opened);
    store = std::make_unique<marketing::PgFlashSaleStore>(*marketing_pg);
    admission =
        std::make_unique<marketing::RedisFlashAdmission>(*redis, testing::UniqueName("fs") + ":", winners_stream);
    sales = std::make_unique<marketing::FlashSales>(*store, *admission, stock, clock, ids, blocking);
  }
  marketing::FlashSale Open(int64_t quantity, int64_t per_user_limit) {
    marketing::FlashSale draft;
    draft.name = "flow";
    draft.sku_id = "sku_hot";
    draft.sale_price = 100;
    draft.quantity = quantity;
    draft.per_user_limit = per_user_limit;
    draft.start_time = clock.Now() - absl::Minutes(1);
    draft.end_time = clock.Now() + absl::Hours(1);
    absl::StatusOr<marketing::FlashSale> sale = absl::UnknownError("not created");
    sales->Create(draft, "create-1", [&](absl::StatusOr<marketing::FlashSale> s) { sale = std::move(s); });
    REQUIRE(sale.ok());
    return *sale;
  }
  events::StreamConsumer OrderConsumer() {
    return events::StreamConsumer(*order_pg, *redis, Options(winners_stream, order::kFlashWinnerConsumerGroup),
                                  order::MakeFlashWinnerHandler(clock, absl::Minutes(15), observer));
  }

  testing::TestDatabase marketing_db;
  testing::TestDatabase order_db;
  std::unique_ptr<pg::Pool> marketing_pg;
  std::unique_ptr<pg::Pool> order_pg;
  std::unique_ptr<redis::Pool> redis;
  const std::string winners_stream = testing::UniqueName("winners");
  const std::string order_stream = testing::UniqueName("orders");
  HeldStock stock;
  SystemClock clock;
  Ids ids;
  async::InlineExecutor blocking;
  order::OrderObserver observer;
  std::unique_ptr<marketing::PgFlashSaleStore> store;
  std::unique_ptr<marketing::RedisFlashAdmission> admission;
  std::unique_ptr<marketing::FlashSales> sales;
};

TEST_CASE("10000 attempts on 50 units end with exactly 50 winners and 50 orders, nobody over the limit") {
  Flow flow;
  pg::Pool* marketing_pg = flow.marketing_pg.get();
  pg::Pool* order_pg = flow.order_pg.get();
  redis::Pool* redis = flow.redis.get();
  const std::string& winners_stream = flow.winners_stream;
  const std::string& order_stream = flow.order_stream;
  marketing::RedisFlashAdmission& admission = *flow.admission;
  marketing::FlashSales& sales = *flow.sales;
  SystemClock& clock = flow.clock;
  std::optional<marketing::FlashSale> sale = flow.Open(50, 2);

  constexpr int kThreads = 8, kAttempts = 1250, kBuyers = 400;
  std::mutex mu;
  std::map<std::string, int> reasons;  // outcome -> attempts
  std::map<std::string, int> wins;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAttempts; ++i) {
        const int n = t * kAttempts + i;
        const std::string buyer = absl::StrCat("buyer-", n % kBuyers);
        absl::StatusOr<marketing::FlashPurchase> p = sales.Purchase(buyer, sale->sale_id, absl::StrCat("k", n));
        std::lock_guard<std::mutex> lock(mu);
        if (p.ok()) ++wins[buyer];
        ++reasons[p.ok() ? "OK" : ReasonOf(p.status())];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  INFO("outcomes: OK " << reasons["OK"] << ", sold out " << reasons["FLASH_SALE_SOLD_OUT"] << ", limit "
                       << reasons["FLASH_SALE_LIMIT_REACHED"]);
  CHECK(reasons["OK"] == 50);
  CHECK(reasons["OK"] + reasons["FLASH_SALE_SOLD_OUT"] + reasons["FLASH_SALE_LIMIT_REACHED"] == 10000);
  for (const auto& [buyer, n] : wins) CHECK(n <= 2);

  // Both consumers of the winners' stream; two order consumers in one group share the entries.
  events::StreamConsumer recorder(*marketing_pg, *redis, Options(winners_stream, marketing::kFlashWinnerConsumerGroup),
                                  marketing::MakeFlashWinnerHandler(clock));
  events::StreamConsumer orders_a = flow.OrderConsumer();
  events::StreamConsumer orders_b = flow.OrderConsumer();
  std::thread a([&] { Drain(orders_a); });
  std::thread b([&] { Drain(orders_b); });
  Drain(recorder);
  a.join();
  b.join();
  CHECK(Count(*marketing_pg, "SELECT count(*) FROM flash_purchases") == 50);
  CHECK(Count(*order_pg,
              "SELECT count(*) FROM orders WHERE channel = 'flash_sale' AND total = 100 "
              "AND status = 'PENDING_PAYMENT'") == 50);
  CHECK(Count(*order_pg, "SELECT count(*) FROM (SELECT user_id FROM orders GROUP BY user_id HAVING count(*) > 2) o") ==
        0);
  CHECK(Count(*order_pg, "SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderPlaced'") == 50);
  CHECK(*admission.Remaining(sale->sale_id) == std::optional<int64_t>(0));

  // One buyer's order is cancelled (say the payment timed out): its event gives the unit back, once.
  std::string cancelled_order, cancelled_user;
  REQUIRE(order_pg
              ->Transact([&](pqxx::work& tx) {
                pqxx::row row = tx.exec1("SELECT order_id, user_id FROM orders ORDER BY order_id LIMIT 1");
                cancelled_order = row[0].as<std::string>();
                cancelled_user = row[1].as<std::string>();
                return absl::OkStatus();
              })
              .ok());
  order::v1::OrderCancelled cancelled;
  cancelled.set_order_id(cancelled_order);
  cancelled.set_user_id(cancelled_user);
  cancelled.set_reason("payment timeout");
  for (int i = 0; i < 2; ++i) {  // delivered twice
    REQUIRE(redis
                ->Command({"XADD", order_stream, "*", "id", cancelled_order + ":cancelled", "type",
                           "zhongtai.order.v1.OrderCancelled", "key", cancelled_order, "payload",
                           cancelled.SerializeAsString(), "occurred_at", "2026-12-03T10:00:00Z"})
                .ok());
  }
  events::StreamConsumer follower(*marketing_pg, *redis, Options(order_stream, marketing::kFlashOrderConsumerGroup),
                                  marketing::MakeFlashOrderEventHandler(admission, clock));
  Drain(follower);
  CHECK(Count(*marketing_pg, "SELECT count(*) FROM flash_purchases WHERE status = 'RELEASED'") == 1);
  CHECK(*admission.Remaining(sale->sale_id) == std::optional<int64_t>(1));
  CHECK(sales.Purchase("late-buyer", sale->sale_id, "late-1").ok());
  CHECK(ReasonOf(sales.Purchase("later-buyer", sale->sale_id, "later-1").status()) == "FLASH_SALE_SOLD_OUT");
  Drain(recorder);

  // Redis loses the sale: the next purchase rebuilds it from PostgreSQL (50 recorded and held, 1 released: 0 left).
  const marketing::FlashSaleKeys keys = admission.KeysFor(sale->sale_id);
  REQUIRE(
      redis->Command({"DEL", keys.meta, keys.remaining, keys.users, keys.requests, keys.buyers, keys.released}).ok());
  CHECK(ReasonOf(sales.Purchase("after-loss", sale->sale_id, "k-after").status()) == "FLASH_SALE_SOLD_OUT");
  CHECK(*admission.Remaining(sale->sale_id) == std::optional<int64_t>(0));
  // A retry of a request that won before the loss still answers its first purchase.
  absl::StatusOr<marketing::FlashPurchase> replay = sales.Purchase("late-buyer", sale->sale_id, "late-1");
  REQUIRE(replay.ok());
  CHECK(Count(*marketing_pg, absl::StrCat("SELECT count(*) FROM flash_purchases WHERE purchase_id = '",
                                          replay->purchase_id, "' AND user_id = 'late-buyer'")) == 1);
}

TEST_CASE("winners admitted just before Redis lost its data, stream and all, still get their orders, once each") {
  Flow flow;
  marketing::FlashSale sale = flow.Open(10, 1);
  events::StreamConsumer orders = flow.OrderConsumer();
  std::vector<std::string> order_ids;
  auto buy = [&](int from, int to) {
    for (int n = from; n < to; ++n) {
      absl::StatusOr<marketing::FlashPurchase> p =
          flow.sales->Purchase(absl::StrCat("buyer-", n), sale.sale_id, absl::StrCat("k", n));
      REQUIRE(p.ok());
      order_ids.push_back(p->order_id);
    }
  };
  buy(0, 3);
  Drain(orders);  // the order center made these three orders
  CHECK(Count(*flow.order_pg, "SELECT count(*) FROM orders") == 3);
  buy(3, 6);  // these three it has not read yet
  CHECK(Count(*flow.marketing_pg, "SELECT count(*) FROM flash_purchases WHERE status = 'PENDING'") == 6);

  // Redis restarts empty: the sale's state and the winners' stream (with its consumer groups) are gone.
  const marketing::FlashSaleKeys keys = flow.admission->KeysFor(sale.sale_id);
  REQUIRE(flow.redis
              ->Command({"DEL", keys.meta, keys.remaining, keys.users, keys.requests, keys.buyers, keys.released,
                         flow.winners_stream})
              .ok());
  // The sweeper rebuilds the sale from PostgreSQL and puts its six winners without a known order back on the stream.
  CHECK(flow.sales->SweepOnce() == 1);
  CHECK(*flow.admission->Remaining(sale.sale_id) == std::optional<int64_t>(4));
  CHECK(flow.redis->Command({"XLEN", flow.winners_stream})->integer() == 6);
  // The order center's consumer finds its group gone (one failed read) and makes it again from the stream's start.
  CHECK_FALSE(orders.PollOnce().ok());
  Drain(orders);
  // Six winners, six orders: the three made before were not made again.
  CHECK(Count(*flow.order_pg, "SELECT count(*) FROM orders WHERE channel = 'flash_sale' AND total = 100") == 6);
  for (const std::string& order_id : order_ids) {
    CHECK(Count(*flow.order_pg, absl::StrCat("SELECT count(*) FROM orders WHERE order_id = '", order_id, "'")) == 1);
  }
  CHECK(Count(*flow.order_pg, "SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderPlaced'") == 6);
  // Each buyer's limit of one still holds after the rebuild.
  CHECK(ReasonOf(flow.sales->Purchase("buyer-4", sale.sale_id, "k-again").status()) == "FLASH_SALE_LIMIT_REACHED");
}

}  // namespace
}  // namespace zhongtai
