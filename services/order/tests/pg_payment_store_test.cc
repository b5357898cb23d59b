// PgPaymentStore against a real PostgreSQL from the test harness.
#include "services/order/store/pg_payment_store.h"

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/store/pg_order_store.h"

namespace zhongtai::order {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

struct Db {
  testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgOrderStore> orders;
  std::unique_ptr<PgPaymentStore> payments;
  Db() {
    pool =
        zhongtai::testing::OpenMigrated(database, 8, "order-payment-test", {events::SchemaMigrations(), Migrations()});
    orders = std::make_unique<PgOrderStore>(*pool);
    payments = std::make_unique<PgPaymentStore>(*pool);
  }
  // An order waiting for payment until kT0 + 15 minutes.
  void PlaceOrder(const std::string& id) {
    Order order;
    order.order_id = id;
    order.user_id = "u1";
    order.request_id = "k-" + id;
    order.request_fingerprint = "v1|web|sku-1x1";
    order.channel = "web";
    order.created_at = kT0;
    REQUIRE_FALSE(orders->BeginPlacement(order)->has_value());
    order.lines = {{"sku-1", 1, 2600, 2600, 0, 2600}};
    order.subtotal = order.total = 2600;
    order.status = OrderStatus::kPendingPayment;
    order.pay_deadline = kT0 + absl::Minutes(15);
    order.history.push_back({OrderStatus::kPendingPayment, kT0, "placed"});
    REQUIRE(orders->CompletePlacement(order).ok());
  }
  PaymentAttempt Start(const std::string& id, absl::Time at = kT0) {
    PaymentAttempt draft;
    draft.order_id = id;
    draft.provider = "simulator";
    draft.amount = 2600;
    draft.currency = "CNY";
    auto started = payments->StartAttempt(draft, at);
    REQUIRE(started.ok());
    REQUIRE(started->has_value());
    return **started;
  }
  void Exec(const std::string& sql) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  tx.exec(sql);
                  return absl::OkStatus();
                })
                .ok());
  }
};

TEST_CASE("a payment attempt is saved with the order's move to PAYING, and only one is open at a time", "[store]") {
  Db db;
  db.PlaceOrder("o1");
  PaymentAttempt first = db.Start("o1");
  CHECK(first.attempt_no == 1);
  CHECK(first.status == AttemptStatus::kCreated);
  CHECK(db.orders->Get("o1")->status == OrderStatus::kPaying);
  // The order is no longer PENDING_PAYMENT: a concurrent second start gets nothing.
  PaymentAttempt draft = first;
  CHECK_FALSE(db.payments->StartAttempt(draft, kT0)->has_value());

  REQUIRE(*db.payments->RecordCreated(first, "sim_1", "http://sim/pay", kT0 + absl::Seconds(1)));
  CHECK_FALSE(*db.payments->RecordCreated(first, "sim_2", "http://sim/other", kT0 + absl::Seconds(2)));
  auto latest = db.payments->LatestAttempt("o1");
  REQUIRE(latest.ok());
  CHECK(latest->status == AttemptStatus::kAwaitingBuyer);
  CHECK(latest->provider_payment_id == "sim_1");
  CHECK(latest->pay_url == "http://sim/pay");
  CHECK(latest->amount == 2600);

  // Declined: the order is the buyer's again, with a history row saying why; a late second decline changes nothing.
  REQUIRE(*db.payments->EndUnpaid(first, AttemptStatus::kDeclined, "INSUFFICIENT_BALANCE", kT0 + absl::Seconds(3)));
  CHECK_FALSE(*db.payments->EndUnpaid(first, AttemptStatus::kDeclined, "INSUFFICIENT_BALANCE", kT0));
  auto reopened = db.orders->Get("o1");
  REQUIRE(reopened.ok());
  CHECK(reopened->status == OrderStatus::kPendingPayment);
  CHECK(reopened->history.back().reason == "PAYMENT_DECLINED");
  PaymentAttempt second = db.Start("o1", kT0 + absl::Seconds(4));
  CHECK(second.attempt_no == 2);
  CHECK(db.payments->LatestAttempt("o1")->attempt_no == 2);

  // Past the deadline nothing starts.
  REQUIRE(*db.payments->EndUnpaid(second, AttemptStatus::kClosed, "PAYMENT_NOT_CREATED", kT0 + absl::Seconds(5)));
  PaymentAttempt late = first;
  CHECK_FALSE(db.payments->StartAttempt(late, kT0 + absl::Minutes(16))->has_value());
  CHECK(db.payments->LatestAttempt("missing").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("transitions are conditional on where the attempt stands", "[store]") {
  Db db;
  db.PlaceOrder("o1");
  PaymentAttempt attempt = db.Start("o1");
  REQUIRE(*db.payments->Transition(attempt, {AttemptStatus::kCreated, AttemptStatus::kAwaitingBuyer},
                                   AttemptStatus::kSucceeded, "sim_9", kT0));
  CHECK_FALSE(*db.payments->Transition(attempt, {AttemptStatus::kCreated}, AttemptStatus::kClosed, "", kT0));
  auto latest = db.payments->LatestAttempt("o1");
  CHECK(latest->status == AttemptStatus::kSucceeded);
  CHECK(latest->provider_payment_id == "sim_9");
  REQUIRE(*db.payments->Transition(attempt, {AttemptStatus::kSucceeded}, AttemptStatus::kRefundDue, "", kT0));
  CHECK(db.payments->LatestAttempt("o1")->provider_payment_id == "sim_9");  // kept when none is given
}

TEST_CASE("the sweeper's lease in SQL picks exactly the attempts NeedsSweep() picks", "[store]") {
  Db db;
  const std::vector<AttemptStatus> attempt_statuses = {
      AttemptStatus::kCreated, AttemptStatus::kAwaitingBuyer, AttemptStatus::kSucceeded, AttemptStatus::kDeclined,
      AttemptStatus::kClosed,  AttemptStatus::kRefundDue,     AttemptStatus::kRefunded};
  const std::vector<OrderStatus> order_statuses = {OrderStatus::kPendingPayment, OrderStatus::kPaying,
                                                   OrderStatus::kPaid, OrderStatus::kCancelled};
  const absl::Time now = kT0 + absl::Minutes(5);
  const absl::Time stale_before = now - absl::Seconds(30);
  std::set<std::string> expected;
  int n = 0;
  for (AttemptStatus attempt_status : attempt_statuses) {
    for (OrderStatus order_status : order_statuses) {
      for (absl::Time updated : {stale_before - absl::Seconds(1), stale_before + absl::Seconds(1)}) {
        std::string id = "o" + std::to_string(++n);
        db.PlaceOrder(id);
        db.Start(id);
        db.Exec("UPDATE payment_attempts SET status = '" + std::string(AttemptStatusName(attempt_status)) +
                "', updated_at = 'epoch'::timestamptz + " + std::to_string(absl::ToUnixMicros(updated)) +
                " * interval '1 microsecond' WHERE order_id = '" + id + "'");
        db.Exec("UPDATE orders SET status = '" + std::string(StatusName(order_status)) + "' WHERE order_id = '" + id +
                "'");
        if (NeedsSweep(attempt_status, updated, order_status, stale_before)) expected.insert(id);
      }
    }
  }
  // One held by another sweeper's unexpired lease is skipped, whatever its state.
  db.PlaceOrder("leased");
  db.Start("leased", kT0);
  db.Exec("UPDATE payment_attempts SET lease_owner = 'other', lease_until = 'epoch'::timestamptz + " +
          std::to_string(absl::ToUnixMicros(now + absl::Minutes(1))) +
          " * interval '1 microsecond' WHERE order_id = 'leased'");

  auto leased = db.payments->LeaseForSweep("me", now, stale_before, now + absl::Minutes(1), 1000);
  REQUIRE(leased.ok());
  std::set<std::string> got;
  for (const PaymentAttempt& a : *leased) got.insert(a.order_id);
  CHECK(got == expected);
  // Outcome unknown and stale (2 statuses x 4 order states), succeeded while PAYING (2 times), owing a refund (4 x 2).
  CHECK(expected.size() == 8 + 2 + 8);
  // Leased now: nobody else gets them until the lease ends or is given back.
  CHECK(db.payments->LeaseForSweep("other", now, stale_before, now + absl::Minutes(1), 1000)->empty());
  const PaymentAttempt& one = leased->front();
  REQUIRE(db.payments->ReleaseLease(one, "me", now).ok());
  auto after_release =
      db.payments->LeaseForSweep("other", now + absl::Seconds(1), stale_before, now + absl::Minutes(2), 1000);
  REQUIRE(after_release.ok());
  // Given back and noted as looked at now: only a succeeded or refund-owing one is due again at once.
  for (const PaymentAttempt& a : *after_release) CHECK_FALSE(IsOutcomeUnknown(a.status));
  auto later = db.payments->LeaseForSweep("other", now + absl::Minutes(3), stale_before, now + absl::Minutes(4), 1000);
  REQUIRE(later.ok());
  std::set<std::string> got_later;
  for (const PaymentAttempt& a : *later) got_later.insert(a.order_id);
  got_later.insert(one.order_id);         // looked at just now, so not stale again
  CHECK(got_later.erase("leased") == 1);  // the other sweeper's lease has ended too
  CHECK(got_later == expected);           // every lease has ended by then
}

TEST_CASE("two sweepers at once never lease the same attempt", "[store]") {
  Db db;
  constexpr int kOrders = 40;
  for (int i = 0; i < kOrders; ++i) {
    std::string id = "o" + std::to_string(i);
    db.PlaceOrder(id);
    db.Start(id);
  }
  const absl::Time now = kT0 + absl::Minutes(1);
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> sweepers;
  for (int s = 0; s < 4; ++s) {
    sweepers.emplace_back([&, s] {
      for (int round = 0; round < 10; ++round) {
        auto leased = db.payments->LeaseForSweep("sweeper-" + std::to_string(s), now, now, now + absl::Minutes(1), 3);
        if (!leased.ok()) continue;
        for (const PaymentAttempt& a : *leased) got[s].push_back(a.order_id);
      }
    });
  }
  for (auto& t : sweepers) t.join();
  std::multiset<std::string> all;
  for (const auto& list : got) all.insert(list.begin(), list.end());
  CHECK(all.size() == kOrders);
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == kOrders);
}

}  // namespace
}  // namespace zhongtai::order
