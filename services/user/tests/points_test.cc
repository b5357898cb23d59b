// The points ledger's rules on the in-memory store: FIFO lots, idempotent earns, the hold -> commit / release
// protocol keyed by order id, returns, reversals, expiry and the ledger pages. After every scenario the stored
// balance, the sum of the ledger and the sum of the lots agree.
#include "services/user/domain/points.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/user/tests/in_memory_points_store.h"

namespace zhongtai::user {
namespace {

struct Fixture {
  Fixture() : points(store, clock, Settings()) {}
  static PointsSettings Settings() {
    PointsSettings settings;
    settings.lot_lifetime = absl::Hours(24 * 30);
    settings.hold_ttl = absl::Hours(2);
    settings.max_redeem_percent = 50;
    return settings;
  }
  EarnResult Earn(const std::string& user, int64_t amount, const std::string& reference) {
    auto earned = points.Earn({user, amount, "test", reference});
    INFO(earned.status().ToString());
    REQUIRE(earned.ok());
    return *earned;
  }
  absl::StatusOr<PointsHold> Hold(const std::string& user, const std::string& order, int64_t amount) {
    return points.Hold({user, order, amount, 0});
  }
  int64_t Balance(const std::string& user) { return *points.Balance(user); }
  // The ledger is exact: the stored balance equals the sum of the ledger and the points left in the lots.
  void CheckLedger(const std::string& user) {
    INFO("ledger of " << user);
    CHECK(store.StoredBalance(user) == store.LedgerSum(user));
    CHECK(store.StoredBalance(user) == store.LotsSum(user));
    CHECK(store.StoredBalance(user) >= 0);
  }

  testing::InMemoryPointsStore store;
  FakeClock clock;
  Points points;
};

}  // namespace

TEST_CASE("earning is once per reference") {
  Fixture f;
  CHECK(f.Earn("u1", 100, "order-paid:o1").points == 100);
  EarnResult again = f.Earn("u1", 100, "order-paid:o1");
  CHECK(again.duplicate);
  CHECK(again.points == 0);
  CHECK(again.balance == 100);
  CHECK(f.Balance("u1") == 100);
  CHECK(f.store.Entries("u1").size() == 1);
  CHECK(ReasonOf(f.points.Earn({"u1", 0, "x", "r"}).status()) == "POINTS_NOT_POSITIVE");
  CHECK(ReasonOf(f.points.Earn({"u1", 5, "x", ""}).status()) == "POINTS_REFERENCE_MISSING");
  f.CheckLedger("u1");
}

TEST_CASE("a hold spends the lots that expire first") {
  Fixture f;
  f.Earn("u1", 100, "a");  // expires first
  f.clock.Advance(absl::Hours(24));
  f.Earn("u1", 100, "b");
  auto hold = f.Hold("u1", "o1", 150);
  REQUIRE(hold.ok());
  REQUIRE(hold->takes.size() == 2);
  CHECK(hold->takes[0].points == 100);
  CHECK(hold->takes[1].points == 50);
  std::vector<PointsLot> lots = f.store.Lots("u1");
  CHECK(lots[0].reference == "a");
  CHECK(lots[0].remaining == 0);
  CHECK(lots[1].remaining == 50);
  CHECK(f.Balance("u1") == 50);
  f.CheckLedger("u1");
}

TEST_CASE("the same order's hold again answers the same hold and holds once") {
  Fixture f;
  f.Earn("u1", 300, "a");
  auto first = f.Hold("u1", "o1", 100);
  auto second = f.Hold("u1", "o1", 100);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(second->points == 100);
  CHECK(second->status == HoldStatus::kHeld);
  CHECK(second->created_at == first->created_at);
  CHECK(f.Balance("u1") == 200);
  auto other_amount = f.Hold("u1", "o1", 50);
  CHECK(other_amount.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(ReasonOf(other_amount.status()) == "POINTS_HOLD_CONFLICT");
  f.Earn("u2", 300, "b");
  CHECK(ReasonOf(f.Hold("u2", "o1", 100).status()) == "POINTS_HOLD_CONFLICT");
  CHECK(f.Balance("u2") == 300);
  f.CheckLedger("u1");
  f.CheckLedger("u2");
}

TEST_CASE("a hold larger than the balance is refused and changes nothing") {
  Fixture f;
  f.Earn("u1", 100, "a");
  auto hold = f.Hold("u1", "o1", 101);
  CHECK(hold.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(hold.status()) == "INSUFFICIENT_POINTS");
  CHECK(f.Balance("u1") == 100);
  CHECK(f.store.Entries("u1").size() == 1);
  CHECK(ReasonOf(f.Hold("u1", "o2", 0).status()) == "POINTS_NOT_POSITIVE");
  CHECK(ReasonOf(f.Hold("u1", "", 5).status()) == "ORDER_ID_MISSING");
  f.CheckLedger("u1");
}

TEST_CASE("points pay at most the configured share of the order") {
  Fixture f;
  f.Earn("u1", 10000, "a");
  CHECK(ReasonOf(f.points.Hold({"u1", "o1", 5001, 10000}).status()) == "POINTS_OVER_REDEEM_LIMIT");
  CHECK(f.points.Hold({"u1", "o1", 5000, 10000}).ok());
  f.CheckLedger("u1");
}

TEST_CASE("commit spends, release gives back, and each answers the other clearly") {
  Fixture f;
  f.Earn("u1", 500, "a");
  REQUIRE(f.Hold("u1", "paid", 100).ok());
  REQUIRE(f.Hold("u1", "unpaid", 200).ok());
  CHECK(f.Balance("u1") == 200);

  auto committed = f.points.Commit("paid", "");
  REQUIRE(committed.ok());
  CHECK(committed->status == HoldStatus::kCommitted);
  CHECK(f.points.Commit("paid", "")->status == HoldStatus::kCommitted);  // idempotent
  auto release_paid = f.points.Release("paid", "");
  CHECK(release_paid.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(release_paid.status()) == "POINTS_HOLD_COMMITTED");

  auto released = f.points.Release("unpaid", "");
  REQUIRE(released.ok());
  CHECK(released->status == HoldStatus::kReleased);
  CHECK(f.Balance("u1") == 400);
  CHECK(f.points.Release("unpaid", "")->status == HoldStatus::kReleased);  // idempotent, gives back once
  CHECK(f.Balance("u1") == 400);
  CHECK(ReasonOf(f.points.Commit("unpaid", "").status()) == "POINTS_HOLD_RELEASED");
  CHECK(ReasonOf(f.Hold("u1", "unpaid", 200).status()) == "POINTS_HOLD_RELEASED");

  CHECK(f.points.Commit("nothing", "").status().code() == absl::StatusCode::kNotFound);
  CHECK(ReasonOf(f.points.Release("nothing", "").status()) == "POINTS_HOLD_NOT_FOUND");
  // Another user's order looks like no order at all.
  CHECK(ReasonOf(f.points.Release("paid", "u2").status()) == "POINTS_HOLD_NOT_FOUND");
  f.CheckLedger("u1");
}

TEST_CASE("released points go back into the lots they came from, keeping their expiry") {
  Fixture f;
  f.Earn("u1", 100, "old");
  f.clock.Advance(absl::Hours(24));
  f.Earn("u1", 100, "new");
  REQUIRE(f.Hold("u1", "o1", 150).ok());
  REQUIRE(f.points.Release("o1", "").ok());
  std::vector<PointsLot> lots = f.store.Lots("u1");
  CHECK(lots[0].remaining == 100);
  CHECK(lots[1].remaining == 100);
  f.CheckLedger("u1");
}

TEST_CASE("a paid order's points return after cancellation or refund, once per reference") {
  Fixture f;
  f.Earn("u1", 500, "a");
  REQUIRE(f.Hold("u1", "o1", 300).ok());
  CHECK(ReasonOf(f.points.Return({"o1", 100, "refund-1", ""}).status()) == "POINTS_HOLD_NOT_COMMITTED");
  REQUIRE(f.points.Commit("o1", "").ok());
  auto partial = f.points.Return({"o1", 100, "refund-1", "refund"});
  REQUIRE(partial.ok());
  CHECK(partial->returned == 100);
  CHECK(f.Balance("u1") == 300);
  CHECK(f.points.Return({"o1", 100, "refund-1", "refund"})->returned == 100);  // replay
  CHECK(f.Balance("u1") == 300);
  CHECK(ReasonOf(f.points.Return({"o1", 201, "refund-2", ""}).status()) == "POINTS_RETURN_EXCEEDS_REDEEMED");
  CHECK(f.points.Return({"o1", 0, "cancel", ""})->returned == 300);  // the rest
  CHECK(f.Balance("u1") == 500);
  f.CheckLedger("u1");
}

TEST_CASE("earned points taken back after a refund never push the balance below zero") {
  Fixture f;
  f.Earn("u1", 100, "order-paid:o1");
  REQUIRE(f.Hold("u1", "o2", 70).ok());
  auto taken = f.points.Reverse("u1", "order-paid:o1", 100, "order-refunded:o1", "order refunded");
  REQUIRE(taken.ok());
  CHECK(*taken == 30);
  CHECK(f.Balance("u1") == 0);
  CHECK(*f.points.Reverse("u1", "order-paid:o1", 100, "order-refunded:o1", "again") == 0);
  f.CheckLedger("u1");
}

TEST_CASE("expiry is oldest first, idempotent, and shown ahead of time") {
  Fixture f;
  f.Earn("u1", 100, "old");
  f.clock.Advance(absl::Hours(24 * 10));
  f.Earn("u1", 40, "new");
  f.clock.Advance(absl::Hours(24 * 15));  // "old" expires in 5 days, "new" in 15
  auto summary = f.points.Summary("u1", absl::Hours(24 * 7), 0, 0);
  REQUIRE(summary.ok());
  CHECK(summary->balance == 140);
  CHECK(summary->expiring_soon == 100);

  f.clock.Advance(absl::Hours(24 * 6));
  CHECK(f.Balance("u1") == 40);  // expired points cannot be spent, swept or not
  CHECK(ReasonOf(f.Hold("u1", "o1", 41).status()) == "INSUFFICIENT_POINTS");
  CHECK(*f.points.Sweep() == 1);
  CHECK(*f.points.Sweep() == 0);
  CHECK(f.store.StoredBalance("u1") == 40);
  std::vector<LedgerEntry> entries = f.store.Entries("u1");
  REQUIRE(entries.size() == 3);
  CHECK(entries[2].kind == LedgerKind::kExpire);
  CHECK(entries[2].delta == -100);
  f.CheckLedger("u1");
}

TEST_CASE("points released into an expired lot expire with it") {
  Fixture f;
  f.Earn("u1", 100, "a");
  f.clock.Advance(absl::Hours(24 * 30) - absl::Minutes(1));
  REQUIRE(f.Hold("u1", "o1", 60).ok());
  f.clock.Advance(absl::Minutes(2));
  REQUIRE(f.points.Release("o1", "").ok());
  CHECK(f.store.StoredBalance("u1") == 0);
  f.CheckLedger("u1");
}

TEST_CASE("the sweep releases a hold that outlived its time, and the order can no longer commit it") {
  Fixture f;
  f.Earn("u1", 100, "a");
  REQUIRE(f.Hold("u1", "o1", 60).ok());
  f.clock.Advance(absl::Hours(1));
  CHECK(*f.points.Sweep() == 0);
  f.clock.Advance(absl::Hours(2));
  CHECK(*f.points.Sweep() == 1);
  CHECK(f.Balance("u1") == 100);
  CHECK(ReasonOf(f.points.Commit("o1", "").status()) == "POINTS_HOLD_RELEASED");
  f.CheckLedger("u1");
}

TEST_CASE("the ledger pages newest first without gaps or repeats") {
  Fixture f;
  for (int i = 0; i < 7; ++i) f.Earn("u1", 10 + i, "e" + std::to_string(i));
  f.Earn("u2", 5, "other");
  std::vector<int64_t> seen;
  int64_t before = 0;
  int pages = 0;
  do {
    auto summary = f.points.Summary("u1", absl::Hours(24), 3, before);
    REQUIRE(summary.ok());
    for (const LedgerEntry& e : summary->page.entries) seen.push_back(e.delta);
    before = summary->page.next_before_seq;
    ++pages;
  } while (before != 0 && pages < 10);
  CHECK(pages == 3);
  CHECK(seen == std::vector<int64_t>{16, 15, 14, 13, 12, 11, 10});
  CHECK(ReasonOf(f.points.Summary("u1", absl::Hours(1), -1, 0).status()) == "PAGE_SIZE_NEGATIVE");
  CHECK(f.points.Summary("u1", absl::Hours(1), 1000, 0)->page.entries.size() == 7);  // at most 100 a page
}

}  // namespace zhongtai::user
