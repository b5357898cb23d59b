// Membership on in-memory stores: the tier table's validation, growth once per paid order, the tier up at once,
// points at the tier's rate, reversal, and the daily evaluation that lowers a tier by at most one step.
#include "services/user/domain/membership.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/user/tests/in_memory_membership_store.h"
#include "services/user/tests/in_memory_points_store.h"

namespace zhongtai::user {
namespace {

struct Fixture {
  Fixture() : points(points_store, clock, PointsSettings{}), membership(store, points, clock, MembershipSettings{}) {}
  void Pay(const std::string& user, const std::string& order, int64_t yuan) {
    absl::Status paid = membership.OnOrderPaid({user, order, yuan * 100, clock.Now()});
    INFO(paid.ToString());
    REQUIRE(paid.ok());
  }
  MemberView Member(const std::string& user) {
    auto member = membership.GetMember(user);
    REQUIRE(member.ok());
    return *member;
  }
  void CheckLedger(const std::string& user) {
    CHECK(points_store.StoredBalance(user) == points_store.LedgerSum(user));
    CHECK(points_store.StoredBalance(user) == points_store.LotsSum(user));
  }

  FakeClock clock;
  testing::InMemoryPointsStore points_store;
  testing::InMemoryMembershipStore store;
  Points points;
  Membership membership;
};

TierTable Valid() { return DefaultTierTable(); }

}  // namespace

TEST_CASE("the tier table is validated as a whole") {
  CHECK(ValidateTierTable(Valid()).ok());
  TierTable table = Valid();
  table.rules[2].growth_threshold = table.rules[1].growth_threshold;
  absl::Status flat = ValidateTierTable(table);
  CHECK(ReasonOf(flat) == "TIER_THRESHOLDS_NOT_INCREASING");
  CHECK(FieldOf(flat) == "tiers[2].growthThreshold");
  table = Valid();
  table.rules.pop_back();
  CHECK(ReasonOf(ValidateTierTable(table)) == "TIERS_INCOMPLETE");
  table = Valid();
  std::swap(table.rules[1], table.rules[2]);
  CHECK(ReasonOf(ValidateTierTable(table)) == "TIERS_INCOMPLETE");
  table = Valid();
  table.rules[0].growth_threshold = 10;
  CHECK(ReasonOf(ValidateTierTable(table)) == "TIER_THRESHOLD_INVALID");
  table = Valid();
  table.rules[3].name = "";
  CHECK(ReasonOf(ValidateTierTable(table)) == "TIER_NAME_INVALID");
  table.rules[3].name = std::string(32 * 3, 'x').substr(0, 33);
  CHECK(ReasonOf(ValidateTierTable(table)) == "TIER_NAME_INVALID");
  table.rules[3].name = "钻石卡钻石卡钻石卡钻石卡钻石卡钻石卡钻石卡钻石卡钻石卡钻石卡";  // 30 characters, 90 bytes
  CHECK(ValidateTierTable(table).ok());
  table = Valid();
  table.rules[1].points_multiplier_percent = 1001;
  CHECK(ReasonOf(ValidateTierTable(table)) == "TIER_MULTIPLIER_INVALID");
  table = Valid();
  table.rules[1].free_shipping_threshold_minor = -1;
  CHECK(ReasonOf(ValidateTierTable(table)) == "TIER_FREE_SHIPPING_INVALID");
}

TEST_CASE("the admin's tier table is what members are measured against") {
  Fixture f;
  TierTable table = Valid();
  table.rules[1].growth_threshold = 100;
  REQUIRE(f.membership.UpdateTiers(table).ok());
  table.rules[1].growth_threshold = 0;
  CHECK(ReasonOf(f.membership.UpdateTiers(table).status()) == "TIER_THRESHOLDS_NOT_INCREASING");
  CHECK(f.membership.GetTiers()->rules[1].growth_threshold == 100);
  f.Pay("u1", "o1", 150);
  CHECK(f.Member("u1").tier.tier == Tier::kSilver);
}

TEST_CASE("a paid order's growth counts once, whatever the redelivery, and lifts the tier at once") {
  Fixture f;
  f.Pay("u1", "o1", 999);
  CHECK(f.Member("u1").tier.tier == Tier::kNormal);
  CHECK(f.Member("u1").growth == 999);
  CHECK(f.Member("u1").growth_to_next_tier == 1);
  f.Pay("u1", "o1", 999);  // redelivered
  CHECK(f.Member("u1").growth == 999);
  f.Pay("u1", "o2", 4001);  // 5000: straight to gold
  MemberView member = f.Member("u1");
  CHECK(member.tier.tier == Tier::kGold);
  CHECK(member.tier.name == "金卡");
  CHECK(member.next_tier->tier == Tier::kDiamond);
  std::vector<TierChange> events = f.store.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].from == Tier::kNormal);
  CHECK(events[0].to == Tier::kGold);
  CHECK(events[0].cause == TierChangeCause::kGrowth);
  CHECK(f.membership.TierHistory("u1")->size() == 1);
}

TEST_CASE("paid orders earn points at the rate of the tier the member had when paying, once") {
  Fixture f;
  f.Pay("u1", "o1", 1000);  // normal, 1 point per yuan
  CHECK(f.Member("u1").points_balance == 1000);
  CHECK(f.Member("u1").tier.tier == Tier::kSilver);
  f.Pay("u1", "o2", 100);  // silver earns 120%
  CHECK(f.Member("u1").points_balance == 1120);
  f.Pay("u1", "o2", 100);
  CHECK(f.Member("u1").points_balance == 1120);
  // Fractions of a yuan earn nothing.
  REQUIRE(f.membership.OnOrderPaid({"u1", "o3", 99, f.clock.Now()}).ok());
  CHECK(f.Member("u1").points_balance == 1120);
  f.CheckLedger("u1");
}

TEST_CASE("a paid order cancelled or refunded takes back its growth and its points, once") {
  Fixture f;
  f.Pay("u1", "o1", 1200);
  f.Pay("u1", "o2", 300);
  CHECK(f.Member("u1").tier.tier == Tier::kSilver);
  REQUIRE(f.membership.OnOrderReversed("o1", f.clock.Now()).ok());
  REQUIRE(f.membership.OnOrderReversed("o1", f.clock.Now()).ok());  // redelivered
  MemberView member = f.Member("u1");
  CHECK(member.growth == 300);
  CHECK(member.points_balance == 1560 - 1200);  // o2 earned 300 x 1.2 at silver
  CHECK(member.tier.tier == Tier::kSilver);     // until the next evaluation
  REQUIRE(f.membership.OnOrderReversed("never-paid", f.clock.Now()).ok());
  f.CheckLedger("u1");
}

TEST_CASE("refunds take back growth and points in proportion, once per refund, the last one exactly the rest") {
  Fixture f;
  f.Pay("u1", "o1", 1000);  // 1000 growth (silver at once) and 1000 points at normal's rate
  CHECK(f.Member("u1").tier.tier == Tier::kSilver);
  auto refund = [&](const std::string& id, int64_t fen, bool full = false) {
    absl::Status refunded = f.membership.OnOrderRefunded({"o1", id, fen, full, f.clock.Now()});
    INFO(refunded.ToString());
    REQUIRE(refunded.ok());
  };
  refund("r1", 30000);  // 300 of 1000 yuan
  CHECK(f.Member("u1").growth == 700);
  CHECK(f.Member("u1").points_balance == 700);
  refund("r1", 30000);  // redelivered
  CHECK(f.Member("u1").growth == 700);
  CHECK(f.Member("u1").points_balance == 700);
  f.CheckLedger("u1");
  refund("r2", 33333);  // 633.33 of 1000 refunded in all: 633 taken back in all, rounded down
  CHECK(f.Member("u1").growth == 367);
  CHECK(f.Member("u1").points_balance == 367);
  CHECK(f.Member("u1").tier.tier == Tier::kSilver);  // the tier only falls at the daily evaluation
  refund("r3", 36667, true);                         // the rest: exactly what is left
  CHECK(f.Member("u1").growth == 0);
  CHECK(f.Member("u1").points_balance == 0);
  refund("r4", 100);  // nothing left to take
  REQUIRE(f.membership.OnOrderReversed("o1", f.clock.Now()).ok());
  CHECK(f.Member("u1").points_balance == 0);
  f.CheckLedger("u1");

  // Refunds above what was paid take back no more than the order earned.
  f.Pay("u2", "o2", 100);
  REQUIRE(f.membership.OnOrderRefunded({"o2", "r1", 50000, false, f.clock.Now()}).ok());
  CHECK(f.Member("u2").growth == 0);
  CHECK(f.Member("u2").points_balance == 0);
  f.CheckLedger("u2");

  // A cancellation after a partial refund takes only the rest.
  f.Pay("u3", "o3", 200);
  f.Pay("u3", "o4", 100);
  REQUIRE(f.membership.OnOrderRefunded({"o3", "r1", 5000, false, f.clock.Now()}).ok());  // 50 of 200
  CHECK(f.Member("u3").growth == 250);
  CHECK(f.Member("u3").points_balance == 250);
  REQUIRE(f.membership.OnOrderReversed("o3", f.clock.Now()).ok());
  CHECK(f.Member("u3").growth == 100);
  CHECK(f.Member("u3").points_balance == 100);
  f.CheckLedger("u3");

  // Refunds of orders never paid here, and bad input.
  REQUIRE(f.membership.OnOrderRefunded({"unknown", "r1", 100, false, f.clock.Now()}).ok());
  CHECK(ReasonOf(f.membership.OnOrderRefunded({"o1", "", 100, false, f.clock.Now()})) == "REFUND_ID_MISSING");
  CHECK(ReasonOf(f.membership.OnOrderRefunded({"o1", "r9", -1, false, f.clock.Now()})) == "AMOUNT_NEGATIVE");
}

TEST_CASE("the refunded share is proportional, rounded down, capped, and all of it once full") {
  CHECK(RefundedShare(1000, 100000, 0, false) == 0);
  CHECK(RefundedShare(1000, 100000, 30000, false) == 300);
  CHECK(RefundedShare(1000, 100000, 99999, false) == 999);
  CHECK(RefundedShare(1000, 100000, 100000, false) == 1000);
  CHECK(RefundedShare(1000, 100000, 250000, false) == 1000);
  CHECK(RefundedShare(1000, 100000, 1, true) == 1000);
  CHECK(RefundedShare(0, 100000, 50000, false) == 0);
  // No overflow for large orders: 1e9 points, 1e12 fen.
  CHECK(RefundedShare(1000000000, 1000000000000, 500000000000, false) == 500000000);
}

TEST_CASE("the daily evaluation lowers a tier by one step at most and raises it to what growth allows") {
  Fixture f;
  f.Pay("u1", "o1", 20000);
  CHECK(f.Member("u1").tier.tier == Tier::kDiamond);
  f.clock.Advance(absl::Hours(12));
  CHECK(*f.membership.EvaluateDue() == 0);  // not due yet
  f.clock.Advance(absl::Hours(24 * 366));   // the order left the 12-month window
  CHECK(f.Member("u1").growth == 0);
  CHECK(*f.membership.EvaluateDue() == 1);
  CHECK(f.Member("u1").tier.tier == Tier::kGold);
  CHECK(*f.membership.EvaluateDue() == 0);  // once a day
  f.clock.Advance(absl::Hours(24));
  CHECK(*f.membership.EvaluateDue() == 1);
  CHECK(f.Member("u1").tier.tier == Tier::kSilver);
  std::vector<TierChange> history = *f.membership.TierHistory("u1");
  REQUIRE(history.size() == 3);
  CHECK(history[0].to == Tier::kSilver);
  CHECK(history[0].cause == TierChangeCause::kEvaluation);

  // Lower thresholds raise members at their evaluation.
  TierTable table = Valid();
  table.rules[1].growth_threshold = 1;
  table.rules[2].growth_threshold = 2;
  table.rules[3].growth_threshold = 3;
  REQUIRE(f.membership.UpdateTiers(table).ok());
  f.Pay("u1", "o2", 5);
  CHECK(f.Member("u1").tier.tier == Tier::kDiamond);
}

}  // namespace zhongtai::user
