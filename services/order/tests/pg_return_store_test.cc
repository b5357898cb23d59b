// PgReturnStore against a real PostgreSQL from the test harness, driven through the after-sales use cases.
#include "services/order/store/pg_return_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/domain/returns.h"
#include "services/order/store/pg_order_store.h"
#include "services/order/tests/after_sales_fakes.h"
#include "services/order/tests/payment_fakes.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::order {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

struct Db {
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  Db() {
    pool = zhongtai::testing::OpenMigrated(database, 24, "order-test", {events::SchemaMigrations(), Migrations()});
  }
  void Exec(const std::string& sql) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  tx.exec(sql);
                  return absl::OkStatus();
                })
                .ok());
  }
  int64_t Count(const std::string& sql) { return zhongtai::testing::Count(*pool, sql); }
};

// A paid order of 3 x sku-a and 1 x sku-b with a discount and points, then moved to `status`.
struct World {
  Db db;
  PgOrderStore orders{*db.pool};
  PgReturnStore store{*db.pool, orders};
  testing::FakePaymentProvider provider;
  testing::FakePointsRefunds points;
  testing::FakeReturnedStock stock;
  testing::FakeClock clock{kT0 + absl::Hours(1)};
  testing::SequentialReturnIds ids;
  async::InlineExecutor inline_executor;
  Returns returns{store, provider, points, stock, clock, ids, inline_executor};
  Order order;

  explicit World(const std::string& status) {
    order.order_id = "o1";
    order.user_id = "u1";
    order.request_id = "k1";
    order.request_fingerprint = "f";
    order.channel = "web";
    order.created_at = kT0;
    REQUIRE_FALSE(orders.BeginPlacement(order)->has_value());
    // sku-a: 3 x 1000, 301 off, 100 in points; sku-b: 1 x 500, 49 off; shipping 1000.
    order.lines = {{"sku-a", 3, 1000, 3000, 301, 2699, 1000, "list", 100},
                   {"sku-b", 1, 500, 500, 49, 451, 500, "list", 0}};
    order.subtotal = 3500;
    order.discount = 350;
    order.shipping_fee = 1000;
    order.points_used = order.points_deduction = 100;
    order.total = 3500 - 350 + 1000 - 100;
    order.warehouse_id = "wh-1";
    order.status = OrderStatus::kPendingPayment;
    order.pay_deadline = kT0 + absl::Minutes(15);
    order.history.push_back({OrderStatus::kPendingPayment, kT0, "placed"});
    REQUIRE(orders.CompletePlacement(order).ok());
    REQUIRE(*orders.ClaimForPayment("o1", kT0 + absl::Minutes(1)));
    REQUIRE(*orders.MarkPaid({"p1", "o1", order.total, "CNY", "local", kT0 + absl::Minutes(1)}));
    db.Exec("UPDATE orders SET status = '" + status + "' WHERE order_id = 'o1'");
    ProviderPayment paid;
    paid.order_id = "o1";
    paid.amount = order.total;
    paid.currency = "CNY";
    paid.status = ProviderStatus::kSucceeded;
    provider.by_order["o1"] = paid;
  }
  ReturnCommand Command(std::string key, ReturnType type, std::vector<ReturnLineRequest> lines) {
    ReturnCommand command;
    command.user_id = "u1";
    command.order_id = "o1";
    command.request_id = std::move(key);
    command.type = type;
    command.reason = "broken";
    command.photo_urls = {"https://img.example.com/1.jpg", "https://img.example.com/2,{x}.jpg"};
    command.lines = std::move(lines);
    return command;
  }
  absl::StatusOr<Return> Approve(const std::string& id) {
    return async::Await<absl::StatusOr<Return>>(
        [&](async::Callback<Return> done) { returns.Approve(id, "ok", std::move(done)); });
  }
  absl::StatusOr<Return> Receive(const std::string& id) {
    return async::Await<absl::StatusOr<Return>>(
        [&](async::Callback<Return> done) { returns.Receive(id, ItemCondition::kSellable, "", std::move(done)); });
  }
};

TEST_CASE("a return is stored with its lines, photos and history and a refund closes a fully refunded order") {
  World w("AWAITING_SHIPMENT");
  ReturnCommand command = w.Command("r-k1", ReturnType::kRefundOnly, {{"sku-a", 3}, {"sku-b", 1}});
  auto r = w.returns.RequestReturn(command);
  REQUIRE(r.ok());
  auto stored = w.store.Get(r->return_id);
  REQUIRE(stored.ok());
  CHECK(stored->photo_urls == command.photo_urls);
  REQUIRE(stored->lines.size() == 2);
  CHECK(stored->lines[0].refund == 2599);
  CHECK(stored->lines[0].points_refund == 100);
  CHECK(stored->refund_amount == w.order.total);
  CHECK(stored->created_at == kT0 + absl::Hours(1));
  // The same request id again: the same return.
  CHECK(w.returns.RequestReturn(command)->return_id == r->return_id);

  auto refunded = w.Approve(r->return_id);
  REQUIRE(refunded.ok());
  CHECK(refunded->status == ReturnStatus::kRefunded);
  CHECK(refunded->history.size() == 3);
  CHECK(w.provider.refunded["o1"] == w.order.total);
  CHECK(w.orders.Get("o1")->status == OrderStatus::kClosed);
  CHECK(w.db.Count("SELECT count(*) FROM order_history WHERE order_id = 'o1' AND status = 'CLOSED'") == 1);
  CHECK(w.db.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.ReturnStatusChanged'") == 3);
  int64_t events = 0;
  REQUIRE(w.db.pool
              ->Transact([&](pqxx::work& tx) {
                for (const auto& row :
                     tx.exec("SELECT payload FROM outbox WHERE type = 'zhongtai.order.v1.OrderRefunded'")) {
                  pqxx::binarystring bytes(row[0]);
                  v1::OrderRefunded event;
                  REQUIRE(event.ParseFromString(bytes.str()));
                  CHECK(event.order_id() == "o1");
                  CHECK(event.user_id() == "u1");
                  CHECK(event.full_refund());
                  CHECK(event.amount().amount_minor() == w.order.total);
                  CHECK(event.return_id() == r->return_id);
                  // The units refunded and the money back for them, for the data hub's per-SKU returns.
                  REQUIRE(event.lines_size() == 2);
                  CHECK(event.lines(0).sku_id() == "sku-a");
                  CHECK(event.lines(0).quantity() == 3);
                  CHECK(event.lines(0).amount().amount_minor() == 2599);
                  CHECK(event.lines(1).sku_id() == "sku-b");
                  CHECK(event.lines(1).quantity() == 1);
                  ++events;
                }
                return absl::OkStatus();
              })
              .ok());
  CHECK(events == 1);
}

TEST_CASE("concurrent return requests on the same lines never claim or refund a unit twice") {
  World w("DELIVERED");
  std::atomic<int> accepted{0}, exceeded{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r =
          w.returns.RequestReturn(w.Command("race-" + std::to_string(i), ReturnType::kReturnAndRefund, {{"sku-a", 2}}));
      if (r.ok()) ++accepted;
      if (ReasonOf(r.status()) == "RETURN_QUANTITY_EXCEEDED") ++exceeded;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(accepted == 1);
  CHECK(exceeded == 7);
  // The last unit, raced again by one-unit requests.
  threads.clear();
  accepted = 0;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (w.returns.RequestReturn(w.Command("last-" + std::to_string(i), ReturnType::kReturnAndRefund, {{"sku-a", 1}}))
              .ok()) {
        ++accepted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(accepted == 1);
  CHECK(w.db.Count("SELECT coalesce(sum(quantity), 0) FROM order_return_lines") == 3);

  // Every return approved and received from several threads at once: each is refunded once.
  std::vector<std::string> ids;
  REQUIRE(w.db.pool
              ->Transact([&](pqxx::work& tx) {
                for (const auto& row : tx.exec("SELECT return_id FROM order_returns")) ids.push_back(row[0].c_str());
                return absl::OkStatus();
              })
              .ok());
  threads.clear();
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      for (const std::string& id : ids) {
        (void)w.Approve(id);
        (void)w.Receive(id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& id : ids) CHECK(w.store.Get(id)->status == ReturnStatus::kRefunded);
  CHECK(w.db.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderRefunded'") == 2);
  CHECK(w.db.Count("SELECT sum(refund_amount) FROM order_returns") == 2699 - 100);
  CHECK(w.provider.refunded["o1"] == 2699 - 100);
  CHECK(w.stock.sellable["sku-a"] == 3);
  CHECK(w.orders.Get("o1")->status == OrderStatus::kDelivered);  // sku-b is still the buyer's
}

TEST_CASE("a completed order past its after-sales deadline cannot be returned") {
  World w("COMPLETED");
  w.db.Exec("UPDATE orders SET after_sales_deadline = to_timestamp(1700000000 + 1800) WHERE order_id = 'o1'");
  auto late = w.returns.RequestReturn(w.Command("late", ReturnType::kReturnAndRefund, {{"sku-b", 1}}));
  CHECK(ReasonOf(late.status()) == "AFTER_SALES_WINDOW_CLOSED");
  w.db.Exec("UPDATE orders SET after_sales_deadline = to_timestamp(1700000000 + 7200) WHERE order_id = 'o1'");
  CHECK(w.returns.RequestReturn(w.Command("late", ReturnType::kReturnAndRefund, {{"sku-b", 1}})).ok());
}

TEST_CASE("another user's order answers ORDER_NOT_FOUND") {
  World w("DELIVERED");
  ReturnCommand command = w.Command("x", ReturnType::kReturnAndRefund, {{"sku-b", 1}});
  command.user_id = "u2";
  CHECK(ReasonOf(w.returns.RequestReturn(command).status()) == "ORDER_NOT_FOUND");
  command.order_id = "missing";
  CHECK(ReasonOf(w.returns.RequestReturn(command).status()) == "ORDER_NOT_FOUND");
}

TEST_CASE(
    "the sweeper's SQL picks exactly the returns the C++ rules say are owed a refund, a restock or a replacement") {
  World w("DELIVERED");
  int n = 0;
  std::set<std::string> expected;
  for (ReturnType type : {ReturnType::kRefundOnly, ReturnType::kReturnAndRefund, ReturnType::kExchange}) {
    for (ReturnStatus status : {ReturnStatus::kRequested, ReturnStatus::kApproved, ReturnStatus::kRejected,
                                ReturnStatus::kReturnShipped, ReturnStatus::kReceived, ReturnStatus::kRefunded}) {
      for (bool restocked : {false, true}) {
        for (bool before_shipment : {false, true}) {
          for (bool replacement_held : {false, true}) {
            Return r;
            r.return_id = "s" + std::to_string(++n);
            r.type = type;
            r.status = status;
            r.restocked = restocked;
            r.before_shipment = before_shipment;
            if (replacement_held) r.replacement_holds = {{"wh-1", "sku-b", 1}};
            if (RefundDue(r) || RestockDue(r) || ReplacementDue(r)) expected.insert(r.return_id);
            w.db.Exec(absl::StrCat(
                "INSERT INTO order_returns (return_id, order_id, user_id, request_id, type, status, "
                "reason, currency, refund_amount, restocked, before_shipment, created_at, updated_at) VALUES ('",
                r.return_id, "', 'o1', 'u1', '", r.return_id, "', '", ReturnTypeName(type), "', '",
                ReturnStatusName(status), "', 'x', 'CNY', 0, ", restocked ? "true" : "false", ", ",
                before_shipment ? "true" : "false", ", now(), now())"));
            if (replacement_held) REQUIRE(w.store.MarkReplacementHeld(r.return_id, r.replacement_holds).ok());
          }
        }
      }
    }
  }
  auto due = w.store.ListEffectsDue(1000);
  REQUIRE(due.ok());
  CHECK(std::set<std::string>(due->begin(), due->end()) == expected);
}

}  // namespace
}  // namespace zhongtai::order
