// The admin's member list (filters, keyset pages), marketing's segment pages and the recall CSV, on the in-memory
// directory.
#include "services/user/domain/member_lists.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/user/domain/lifecycle.h"
#include "services/user/domain/page_tokens.h"
#include "services/user/domain/tags.h"
#include "services/user/tests/fakes.h"
#include "services/user/tests/in_memory_segment_stores.h"

namespace zhongtai::user {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
const absl::Time kStart = absl::FromUnixSeconds(1700000000);

struct Fixture {
  Fixture() : clock(kStart + 400 * kDay), tags(store, clock), lifecycle(store, clock, {}), lists(store, 1000) {
    for (int i = 0; i < 7; ++i) {
      store.AddCustomer("u" + std::to_string(i), {"member " + std::to_string(i), kStart + i * kDay,
                                                  i % 2 == 0 ? Tier::kGold : Tier::kNormal, 100 * i});
    }
  }
  testing::InMemorySegmentStores store;
  testing::FakeClock clock;
  Tags tags;
  Lifecycle lifecycle;
  MemberLists lists;
};

std::vector<std::string> Ids(const std::vector<MemberRow>& rows) {
  std::vector<std::string> ids;
  for (const MemberRow& row : rows) ids.push_back(row.user_id);
  return ids;
}

}  // namespace

TEST_CASE("the member list pages newest registration first without gaps or repeats", "[members]") {
  Fixture f;
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<MemberPage> page = f.lists.List({}, 3, token);
    REQUIRE(page.ok());
    for (const std::string& id : Ids(page->members)) seen.push_back(id);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>{"u6", "u5", "u4", "u3", "u2", "u1", "u0"});
  CHECK(ReasonOf(f.lists.List({}, 3, "garbage").status()) == "PAGE_TOKEN_INVALID");
  CHECK(ReasonOf(f.lists.List({}, -1, "").status()) == "PAGE_SIZE_NEGATIVE");
  // A made-up time beyond what the store's SQL can compare is refused here, not left to fail the query.
  CHECK(ReasonOf(f.lists.List({}, 3, EncodeMemberToken({absl::FromUnixMicros(INT64_MAX), "u1"})).status()) ==
        "PAGE_TOKEN_INVALID");
  CHECK(ReasonOf(f.lists.List({}, 3, EncodeMemberToken({absl::FromUnixMicros(INT64_MIN), "u1"})).status()) ==
        "PAGE_TOKEN_INVALID");
  CHECK(f.lists.List({}, 3, EncodeMemberToken({kStart + 3 * kDay, "u3"})).ok());
}

TEST_CASE("the member list filters by tier, tag, stage and registration range together", "[members]") {
  Fixture f;
  REQUIRE(f.tags.AddManual("u2", {"VIP"}).ok());
  REQUIRE(f.tags.AddManual("u3", {"vip"}).ok());
  REQUIRE(f.tags.AddManual("u4", {"vip"}).ok());
  REQUIRE(f.lifecycle.RecordOrder("u4", f.clock.Now() - kDay).ok());
  REQUIRE(f.lifecycle.Sweep().ok());

  MemberFilter filter;
  filter.tier = Tier::kGold;
  filter.tag = "VIP";
  CHECK(Ids(f.lists.List(filter, 0, "")->members) == std::vector<std::string>{"u4", "u2"});
  filter.stage = LifecycleStage::kActive;
  CHECK(Ids(f.lists.List(filter, 0, "")->members) == std::vector<std::string>{"u4"});

  MemberFilter range;
  range.registered_from = kStart + 2 * kDay;
  range.registered_before = kStart + 4 * kDay;
  CHECK(Ids(f.lists.List(range, 0, "")->members) == std::vector<std::string>{"u3", "u2"});
  range.registered_before = kStart + 2 * kDay;
  CHECK(ReasonOf(f.lists.List(range, 0, "").status()) == "REGISTRATION_RANGE_INVALID");
  MemberFilter bad_tag;
  bad_tag.tag = "a b";
  CHECK(ReasonOf(f.lists.List(bad_tag, 0, "").status()) == "TAG_INVALID");
}

TEST_CASE("segment members page by user id for a tag, a tier or both", "[members]") {
  Fixture f;
  REQUIRE(f.tags.ApplyComputed("u1", {*MakeComputedTag(ComputedKind::kRfm, "at_risk", kStart)}).ok());
  REQUIRE(f.tags.ApplyComputed("u2", {*MakeComputedTag(ComputedKind::kRfm, "at_risk", kStart)}).ok());
  CHECK(f.lists.SegmentMembers("rfm:at_risk", std::nullopt, 0, "")->user_ids == std::vector<std::string>{"u1", "u2"});
  CHECK(f.lists.SegmentMembers("rfm:at_risk", Tier::kGold, 0, "")->user_ids == std::vector<std::string>{"u2"});

  std::vector<std::string> gold;
  std::string token;
  do {
    absl::StatusOr<SegmentPage> page = f.lists.SegmentMembers("", Tier::kGold, 2, token);
    REQUIRE(page.ok());
    gold.insert(gold.end(), page->user_ids.begin(), page->user_ids.end());
    token = page->next_page_token;
  } while (!token.empty());
  CHECK(gold == std::vector<std::string>{"u0", "u2", "u4", "u6"});
  CHECK(ReasonOf(f.lists.SegmentMembers("", std::nullopt, 0, "").status()) == "SEGMENT_FILTER_MISSING");
}

TEST_CASE("the recall CSV lists dormant customers with their last order, tier and points, escaped", "[members]") {
  testing::InMemorySegmentStores store;
  testing::FakeClock clock(kStart + 100 * kDay);
  store.AddCustomer("u1", {"=HYPERLINK(\"x\")", kStart, Tier::kGold, 250});
  store.AddCustomer("u2", {"Li, \"Lei\"\nline", kStart, Tier::kNormal, 0});
  store.AddCustomer("u3", {"still active", kStart, Tier::kNormal, 0});
  Lifecycle lifecycle(store, clock, {});
  REQUIRE(lifecycle.RecordOrder("u1", kStart + 5 * kDay).ok());
  REQUIRE(lifecycle.RecordOrder("u2", kStart + 1 * kDay).ok());
  REQUIRE(lifecycle.RecordOrder("u3", kStart + 50 * kDay).ok());
  MemberLists lists(store, 1000);

  absl::StatusOr<std::string> csv = lists.RecallCsv(std::nullopt);
  REQUIRE(csv.ok());
  CHECK(*csv ==
        "user_id,nickname,tier,points_balance,last_order_time,dormant_since\r\n"
        "u1,\"'=HYPERLINK(\"\"x\"\")\",gold,250,2023-11-19T22:13:20Z,2024-02-17T22:13:20Z\r\n"
        "u2,\"Li, \"\"Lei\"\"\nline\",normal,0,2023-11-15T22:13:20Z,2024-02-13T22:13:20Z\r\n");
  CHECK(lists.RecallCsv(Tier::kGold)->find("u2") == std::string::npos);
  MemberLists capped(store, 1);
  CHECK(capped.RecallCsv(std::nullopt)->find("u2") == std::string::npos);
}

}  // namespace zhongtai::user
