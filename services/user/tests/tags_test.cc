// Manual tags (syntax, length, count, idempotent add, remove) and the data hub's computed tags (one per kind, a
// later computation wins, manual tags untouched), on the in-memory store.
#include "services/user/domain/tags.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/user/tests/fakes.h"
#include "services/user/tests/in_memory_segment_stores.h"

namespace zhongtai::user {
namespace {

struct Fixture {
  Fixture() : tags(store, clock) { store.AddCustomer("u1", {"Ann", absl::FromUnixSeconds(1600000000)}); }
  testing::InMemorySegmentStores store;
  testing::FakeClock clock;
  Tags tags;
};

ComputedTag Computed(ComputedKind kind, const std::string& value, int64_t at_seconds) {
  return *MakeComputedTag(kind, value, absl::FromUnixSeconds(at_seconds));
}

}  // namespace

TEST_CASE("a manual tag is lower-cased and checked for its characters and length", "[tags]") {
  CHECK(*NormalizeManualTag("VIP", "tags[0]") == "vip");
  CHECK(*NormalizeManualTag("high-value_2", "tags[0]") == "high-value_2");
  CHECK(*NormalizeManualTag("高价值", "tags[0]") == "高价值");
  CHECK(*NormalizeManualTag(std::string(32, 'a'), "t") == std::string(32, 'a'));
  for (const std::string bad : {"", "a b", "rfm:champions", "a,b", "emoji\xF0\x9F\x98\x80", "\xE9\xAB", "=cmd"}) {
    INFO(bad);
    absl::StatusOr<std::string> tag = NormalizeManualTag(bad, "tags[3]");
    REQUIRE_FALSE(tag.ok());
    CHECK(ReasonOf(tag.status()) == "TAG_INVALID");
    CHECK(FieldOf(tag.status()) == "tags[3]");
  }
  CHECK_FALSE(NormalizeManualTag(std::string(33, 'a'), "t").ok());
  // 32 CJK characters are fine (the limit counts characters, not bytes); 33 are not.
  std::string cjk;
  for (int i = 0; i < 32; ++i) cjk += "高";
  CHECK(NormalizeManualTag(cjk, "t").ok());
  CHECK_FALSE(NormalizeManualTag(cjk + "高", "t").ok());
}

TEST_CASE("admins add manual tags once each and remove them", "[tags]") {
  Fixture f;
  REQUIRE(f.tags.AddManual("u1", {"VIP", "wholesale"}).ok());
  absl::StatusOr<MemberTags> again = f.tags.AddManual("u1", {"vip", "vip"});
  REQUIRE(again.ok());
  CHECK(again->manual == std::vector<std::string>{"vip", "wholesale"});

  absl::StatusOr<MemberTags> removed = f.tags.RemoveManual("u1", "VIP");
  REQUIRE(removed.ok());
  CHECK(removed->manual == std::vector<std::string>{"wholesale"});
  CHECK(f.tags.RemoveManual("u1", "never-had").ok());

  absl::StatusOr<MemberTags> unknown = f.tags.AddManual("nobody", {"vip"});
  CHECK(ReasonOf(unknown.status()) == "USER_NOT_FOUND");
  CHECK(ReasonOf(f.tags.AddManual("u1", {}).status()) == "TAGS_MISSING");
  CHECK(ReasonOf(f.tags.RemoveManual("u1", "rfm:lost").status()) == "TAG_INVALID");
}

TEST_CASE("a member has at most 50 manual tags and a request at most 20", "[tags]") {
  Fixture f;
  std::vector<std::string> batch;
  for (int i = 0; i < 21; ++i) batch.push_back("t" + std::to_string(i));
  CHECK(ReasonOf(f.tags.AddManual("u1", batch).status()) == "TOO_MANY_TAGS");
  for (int start = 0; start < 50; start += 10) {
    std::vector<std::string> ten;
    for (int i = start; i < start + 10; ++i) ten.push_back("t" + std::to_string(i));
    REQUIRE(f.tags.AddManual("u1", ten).ok());
  }
  CHECK(f.tags.AddManual("u1", {"t0", "t49"}).ok());  // nothing new: still 50
  absl::StatusOr<MemberTags> over = f.tags.AddManual("u1", {"one-more"});
  CHECK(over.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(over.status()) == "TAG_LIMIT_REACHED");
  CHECK(f.tags.Load("u1")->manual.size() == 50);
}

TEST_CASE("a computed tag replaces the one of its kind unless that one was computed later", "[tags]") {
  Fixture f;
  REQUIRE(f.tags.AddManual("u1", {"vip"}).ok());
  REQUIRE(f.tags
              .ApplyComputed(
                  "u1", {Computed(ComputedKind::kRfm, "champions", 100), Computed(ComputedKind::kLtv, "high", 100)})
              .ok());
  REQUIRE(f.tags.ApplyComputed("u1", {Computed(ComputedKind::kRfm, "at_risk", 200)}).ok());
  CHECK(AllTags(*f.tags.Load("u1")) == std::vector<std::string>{"vip", "ltv:high", "rfm:at_risk"});

  // An older computation arriving late changes nothing.
  REQUIRE(f.tags.ApplyComputed("u1", {Computed(ComputedKind::kRfm, "loyal", 150)}).ok());
  CHECK(AllTags(*f.tags.Load("u1")) == std::vector<std::string>{"vip", "ltv:high", "rfm:at_risk"});
  // Manual tags stay whatever the data hub computes.
  CHECK(f.tags.Load("u1")->manual == std::vector<std::string>{"vip"});
}

TEST_CASE("computed tag values and tag filters are checked", "[tags]") {
  CHECK(MakeComputedTag(ComputedKind::kLtv, "top", absl::UnixEpoch())->tag == "ltv:top");
  CHECK_FALSE(MakeComputedTag(ComputedKind::kRfm, "", absl::UnixEpoch()).ok());
  CHECK_FALSE(MakeComputedTag(ComputedKind::kRfm, "At-Risk", absl::UnixEpoch()).ok());
  CHECK(*NormalizeTagFilter("rfm:at_risk", "tag") == "rfm:at_risk");
  CHECK(*NormalizeTagFilter("VIP", "tag") == "vip");
  CHECK(ReasonOf(NormalizeTagFilter("rfm:", "tag").status()) == "TAG_INVALID");
}

}  // namespace zhongtai::user
