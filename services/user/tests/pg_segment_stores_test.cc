// Tags, lifecycle and the member directory on a real PostgreSQL (label store): the tag lock holds the member limit
// under concurrent admins, an older computation never replaces a newer one, the lifecycle sweep's SQL finds what
// the domain says is due, the directory's defaults for a customer not yet swept agree with the domain, the member
// list pages with every filter, and sign-in earns once under concurrent clicks.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "common/status/status.h"
#include "services/user/domain/lifecycle.h"
#include "services/user/domain/member_lists.h"
#include "services/user/domain/rewards.h"
#include "services/user/domain/tags.h"
#include "services/user/store/pg_lifecycle_store.h"
#include "services/user/store/pg_member_directory.h"
#include "services/user/store/pg_points_store.h"
#include "services/user/store/pg_tag_store.h"
#include "services/user/tests/segment_db.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
const absl::Time kNow = absl::FromUnixSeconds(1780000000);

}  // namespace

TEST_CASE("each lifecycle stage change goes to the outbox once as UserLifecycleChanged", "[store][events]") {
  testing::SegmentDb db;
  db.AddCustomer("u1", "Ann", kNow - kDay);
  FakeClock clock(kNow);
  PgLifecycleStore store(*db.pool);
  Lifecycle lifecycle(store, clock, {});
  REQUIRE(lifecycle.Sweep().ok());  // new, as before: nothing to tell
  REQUIRE(lifecycle.RecordOrder("u1", kNow).ok());
  REQUIRE(lifecycle.RecordOrder("u1", kNow).ok());  // a redelivered order event: no second change
  clock.Set(kNow + 91 * kDay);
  REQUIRE(lifecycle.Sweep().ok());
  REQUIRE(lifecycle.Sweep().ok());

  std::vector<v1::UserLifecycleChanged> events;
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                events.clear();
                for (const pqxx::row& row :
                     tx.exec("SELECT key, payload FROM outbox WHERE type = 'zhongtai.user.v1.UserLifecycleChanged' "
                             "AND stream = 'zt.events.user' ORDER BY seq")) {
                  CHECK(row[0].as<std::string>() == "u1");
                  pqxx::binarystring payload(row[1]);
                  events.emplace_back();
                  REQUIRE(events.back().ParseFromString(payload.str()));
                }
                return absl::OkStatus();
              })
              .ok());
  REQUIRE(events.size() == 2);
  CHECK(events[0].user_id() == "u1");
  CHECK(events[0].from_stage() == v1::LIFECYCLE_STAGE_NEW);
  CHECK(events[0].to_stage() == v1::LIFECYCLE_STAGE_ACTIVE);
  CHECK(events[0].stage_start_time().seconds() == absl::ToUnixSeconds(kNow));
  CHECK(events[1].from_stage() == v1::LIFECYCLE_STAGE_ACTIVE);
  CHECK(events[1].to_stage() == v1::LIFECYCLE_STAGE_DORMANT);
  CHECK(events[1].stage_start_time().seconds() == absl::ToUnixSeconds(kNow + 90 * kDay));
  CHECK(events[1].occur_time().seconds() == absl::ToUnixSeconds(kNow + 91 * kDay));
}

TEST_CASE("concurrent admins never give a member more than the manual tag limit", "[store]") {
  testing::SegmentDb db;
  db.AddCustomer("u1", "Ann", kNow - kDay);
  FakeClock clock(kNow);
  PgTagStore store(*db.pool);
  Tags tags(store, clock);
  std::vector<std::string> first;
  for (int i = 0; i < 45; i += 15) {
    std::vector<std::string> batch;
    for (int k = i; k < i + 15; ++k) batch.push_back("t" + std::to_string(k));
    REQUIRE(tags.AddManual("u1", batch).ok());
  }
  std::atomic<int> accepted{0};
  std::vector<std::thread> admins;
  for (int a = 0; a < 4; ++a) {
    admins.emplace_back([&, a] {
      std::vector<std::string> batch;
      for (int k = 0; k < 3; ++k) batch.push_back("a" + std::to_string(a) + "x" + std::to_string(k));
      if (tags.AddManual("u1", batch).ok()) ++accepted;
    });
  }
  for (std::thread& admin : admins) admin.join();
  CHECK(accepted == 1);  // 45 + 3 fits, a second 3 would not
  CHECK(tags.Load("u1")->manual.size() == 48);
  CHECK(ReasonOf(tags.AddManual("nobody", {"vip"}).status()) == "USER_NOT_FOUND");
}

TEST_CASE("computed tags keep the newest computation per kind and leave manual tags alone", "[store]") {
  testing::SegmentDb db;
  db.AddCustomer("u1", "Ann", kNow - kDay);
  FakeClock clock(kNow);
  PgTagStore store(*db.pool);
  Tags tags(store, clock);
  REQUIRE(tags.AddManual("u1", {"vip"}).ok());
  REQUIRE(tags.ApplyComputed("u1", {*MakeComputedTag(ComputedKind::kRfm, "champions", kNow),
                                    *MakeComputedTag(ComputedKind::kLtv, "high", kNow)})
              .ok());
  REQUIRE(tags.ApplyComputed("u1", {*MakeComputedTag(ComputedKind::kRfm, "loyal", kNow - kDay)}).ok());
  CHECK(AllTags(*tags.Load("u1")) == std::vector<std::string>{"vip", "ltv:high", "rfm:champions"});
  REQUIRE(tags.ApplyComputed("u1", {*MakeComputedTag(ComputedKind::kRfm, "at_risk", kNow + kDay)}).ok());
  CHECK(AllTags(*tags.Load("u1")) == std::vector<std::string>{"vip", "ltv:high", "rfm:at_risk"});
}

TEST_CASE("the lifecycle sweep's SQL finds exactly the customers the domain says are due", "[store]") {
  testing::SegmentDb db;
  db.AddCustomer("fresh", "A", kNow - kDay);
  db.AddCustomer("buyer", "B", kNow - 400 * kDay);
  db.AddCustomer("admin", "C", kNow - 400 * kDay, "admin");
  FakeClock clock(kNow);
  PgLifecycleStore store(*db.pool);
  Lifecycle lifecycle(store, clock, {});
  REQUIRE(lifecycle.RecordOrder("buyer", kNow - 10 * kDay).ok());

  CHECK(*store.DueForReview(kNow, 10) == std::vector<std::string>{"fresh"});  // never decided; admins have no stage
  CHECK(*lifecycle.Sweep() == 1);
  CHECK(store.DueForReview(kNow, 10)->empty());
  CHECK(*lifecycle.Sweep() == 0);

  // Due exactly when the domain's review time comes: fresh stops being new after 30 days, buyer goes dormant 90
  // days after the order.
  CHECK(store.DueForReview(kNow + 29 * kDay - kDay / 2, 10)->empty());
  CHECK(*store.DueForReview(kNow + 29 * kDay, 10) == std::vector<std::string>{"fresh"});
  clock.Set(kNow + 80 * kDay);
  CHECK(*lifecycle.Sweep() == 2);  // fresh active (at 29 days), buyer dormant (at 80)
  PgMemberDirectory directory(*db.pool);
  std::vector<MemberRow> dormant = *directory.ListByStage(LifecycleStage::kDormant, std::nullopt, 10);
  REQUIRE(dormant.size() == 1);
  CHECK(dormant[0].user_id == "buyer");
  CHECK(dormant[0].last_order_at == kNow - 10 * kDay);
  CHECK(dormant[0].stage_since == kNow + 80 * kDay);
  CHECK(ReasonOf(lifecycle.RecordOrder("nobody", kNow).status()) == "USER_NOT_FOUND");
}

TEST_CASE("a customer the sweep has not seen is listed as the domain would decide: new, at normal", "[store]") {
  testing::SegmentDb db;
  db.AddCustomer("u1", "Ann", kNow - kDay);
  FakeClock clock(kNow);
  PgLifecycleStore lifecycle_store(*db.pool);
  Lifecycle lifecycle(lifecycle_store, clock, {});
  PgMemberDirectory directory(*db.pool);
  std::vector<MemberRow> rows = *directory.ListMembers({}, std::nullopt, 10);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].stage == LifecycleStage::kNew);
  CHECK(rows[0].tier == Tier::kNormal);
  CHECK(rows[0].stage == lifecycle.Current("u1")->stage);
}

TEST_CASE("the member list pages and filters by tier, tag, stage and registration on PostgreSQL", "[store]") {
  testing::SegmentDb db;
  for (int i = 0; i < 6; ++i) db.AddCustomer("u" + std::to_string(i), "member", kNow - (10 - i) * kDay);
  db.Exec(
      "INSERT INTO members (user_id, tier, tier_since, evaluated_at) VALUES "
      "('u1', 'gold', now(), now()), ('u3', 'gold', now(), now()), ('u5', 'silver', now(), now())");
  FakeClock clock(kNow);
  PgTagStore tag_store(*db.pool);
  Tags tags(tag_store, clock);
  REQUIRE(tags.AddManual("u1", {"vip"}).ok());
  REQUIRE(tags.ApplyComputed("u3", {*MakeComputedTag(ComputedKind::kRfm, "vip_like", kNow)}).ok());
  REQUIRE(tags.AddManual("u4", {"vip"}).ok());
  PgLifecycleStore lifecycle_store(*db.pool);
  Lifecycle lifecycle(lifecycle_store, clock, {});
  REQUIRE(lifecycle.RecordOrder("u4", kNow - kDay).ok());
  PgMemberDirectory directory(*db.pool);
  MemberLists lists(directory, 100);

  std::vector<std::string> seen;
  std::string token;
  do {
    absl::StatusOr<MemberPage> page = lists.List({}, 4, token);
    REQUIRE(page.ok());
    for (const MemberRow& row : page->members) seen.push_back(row.user_id);
    token = page->next_page_token;
  } while (!token.empty());
  CHECK(seen == std::vector<std::string>{"u5", "u4", "u3", "u2", "u1", "u0"});

  auto ids = [&](const MemberFilter& filter) {
    std::vector<std::string> out;
    absl::StatusOr<MemberPage> page = lists.List(filter, 0, "");
    REQUIRE(page.ok());
    for (const MemberRow& row : page->members) out.push_back(row.user_id);
    return out;
  };
  MemberFilter gold;
  gold.tier = Tier::kGold;
  CHECK(ids(gold) == std::vector<std::string>{"u3", "u1"});
  MemberFilter vip;
  vip.tag = "VIP";
  CHECK(ids(vip) == std::vector<std::string>{"u4", "u1"});
  MemberFilter computed;
  computed.tag = "rfm:vip_like";
  CHECK(ids(computed) == std::vector<std::string>{"u3"});
  MemberFilter active;
  active.stage = LifecycleStage::kActive;
  CHECK(ids(active) == std::vector<std::string>{"u4"});
  MemberFilter range;
  range.registered_from = kNow - 8 * kDay;
  range.registered_before = kNow - 6 * kDay;
  CHECK(ids(range) == std::vector<std::string>{"u3", "u2"});
  MemberFilter normal;
  normal.tier = Tier::kNormal;
  CHECK(ids(normal) == std::vector<std::string>{"u4", "u2", "u0"});

  MemberRow u1 = lists.List(vip, 0, "")->members.back();
  CHECK(u1.tags == std::vector<std::string>{"vip"});
  CHECK(u1.registered_at == kNow - 9 * kDay);

  CHECK(lists.SegmentMembers("vip", Tier::kGold, 0, "")->user_ids == std::vector<std::string>{"u1"});
  SegmentPage first = *lists.SegmentMembers("", Tier::kGold, 1, "");
  CHECK(first.user_ids == std::vector<std::string>{"u1"});
  CHECK(lists.SegmentMembers("", Tier::kGold, 1, first.next_page_token)->user_ids == std::vector<std::string>{"u3"});
}

TEST_CASE("a double click on sign-in earns once, on PostgreSQL with real threads", "[store]") {
  testing::SegmentDb db;
  FakeClock clock(kNow);
  PgPointsStore points_store(*db.pool);
  Points points(points_store, clock, PointsSettings{});
  RewardSettings settings;
  settings.sign_in_points = 7;
  Rewards rewards(points, clock, settings);
  std::atomic<int> earned{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> clicks;
  for (int i = 0; i < 8; ++i) {
    clicks.emplace_back([&] {
      absl::StatusOr<SignInResult> result = rewards.SignIn("u1");
      if (!result.ok()) {
        ++failed;
      } else if (result->points_awarded > 0) {
        ++earned;
      }
    });
  }
  for (std::thread& click : clicks) click.join();
  CHECK(failed == 0);
  CHECK(earned == 1);
  CHECK(*points.Balance("u1") == 7);
  clock.Advance(kDay);
  CHECK(rewards.SignIn("u1")->points_awarded == 7);
  CHECK(*points.Balance("u1") == 14);
}

}  // namespace zhongtai::user
