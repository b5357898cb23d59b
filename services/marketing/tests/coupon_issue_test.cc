// Issuing a coupon template to a segment, without a database: a fake directory of the user center's members and
// the in-memory issue store.
#include "services/marketing/domain/coupon_issue.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/marketing/tests/campaign_fakes.h"

namespace zhongtai::marketing {
namespace {

std::vector<std::string> Users(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat("u", i));
  return out;
}

struct Fixture {
  explicit Fixture(int64_t total_quantity, int64_t per_user_limit = 1) {
    CouponTemplate t;
    t.template_id = "ct_1";
    t.total_quantity = total_quantity;
    t.per_user_limit = per_user_limit;
    t.valid_until = clock.Now() + absl::Hours(24 * 30);
    store.AddTemplate(t);
    directory.SetMembers("vip", Users(25));
    settings.page_size = 10;
  }
  CouponIssuer Issuer() { return CouponIssuer(store, directory, clock, ids, settings); }
  testing::InMemoryCouponIssueStore store;
  testing::FakeSegmentDirectory directory;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  CouponIssueSettings settings;
};

}  // namespace

TEST_CASE("an issue gives every member of the segment one coupon, page by page") {
  Fixture f(100);
  CouponIssuer issuer = f.Issuer();
  auto started = issuer.Start("ct_1", Segment{"vip", ""}, "req-1");
  REQUIRE(started.ok());
  CHECK(started->state == CouponIssueState::kRunning);
  auto replay = issuer.Start("ct_1", Segment{"vip", ""}, "req-1");
  REQUIRE(replay.ok());
  CHECK(replay->issue_id == started->issue_id);

  auto pages = issuer.RunPending();
  REQUIRE(pages.ok());
  CHECK(*pages == 3);
  CouponIssue done = f.store.Issue(started->issue_id);
  CHECK(done.state == CouponIssueState::kDone);
  CHECK(done.issued_count == 25);
  CHECK(f.store.CouponsGiven() == 25);
  // Nothing left to run.
  CHECK(*issuer.RunPending() == 0);
}

TEST_CASE("an issue stops when the template's total quantity is reached") {
  Fixture f(12);
  CouponIssuer issuer = f.Issuer();
  auto started = issuer.Start("ct_1", Segment{"vip", ""}, "req-1");
  REQUIRE(started.ok());
  REQUIRE(issuer.RunPending().ok());
  CouponIssue done = f.store.Issue(started->issue_id);
  CHECK(done.state == CouponIssueState::kSoldOut);
  CHECK(done.issued_count == 12);
  CHECK(f.store.CouponsGiven() == 12);
}

TEST_CASE("members who hold the per-user limit already are skipped") {
  Fixture f(100, 1);
  f.store.SetHeld("ct_1", "u3", 1);
  f.store.SetHeld("ct_1", "u17", 1);
  CouponIssuer issuer = f.Issuer();
  auto started = issuer.Start("ct_1", Segment{"vip", ""}, "req-1");
  REQUIRE(issuer.RunPending().ok());
  CouponIssue done = f.store.Issue(started->issue_id);
  CHECK(done.issued_count == 23);
  CHECK(done.skipped_count == 2);
}

TEST_CASE("after a crash an issue resumes from its last saved page, and nobody gets two coupons") {
  Fixture f(100);
  std::string issue_id;
  {
    CouponIssuer first = f.Issuer();
    auto started = first.Start("ct_1", Segment{"", "GOLD"}, "req-1");
    REQUIRE(started.ok());
    issue_id = started->issue_id;
    f.directory.SetMembers("GOLD", Users(25));
    // The runner dies after one page.
    REQUIRE(*first.RunPending(1) == 1);
  }
  CHECK(f.store.Issue(issue_id).issued_count == 10);
  CouponIssuer second = f.Issuer();
  // Still held by the dead runner until its lease passes.
  CHECK(*second.RunPending() == 0);
  f.clock.Advance(f.settings.lease);
  // The user center fails on the next page: the job stays where it was.
  f.directory.fail_at_call = f.directory.calls() + 2;
  auto failed = second.RunPending();
  CHECK(failed.status().code() == absl::StatusCode::kUnavailable);
  CHECK(f.store.Issue(issue_id).page_token == "20");
  f.clock.Advance(f.settings.lease);
  REQUIRE(second.RunPending().ok());
  CouponIssue done = f.store.Issue(issue_id);
  CHECK(done.state == CouponIssueState::kDone);
  CHECK(done.issued_count == 25);
  CHECK(f.store.CouponsGiven() == 25);
}

TEST_CASE("an issue names one segment and an issuable template") {
  Fixture f(100);
  CouponIssuer issuer = f.Issuer();
  CHECK(ReasonOf(issuer.Start("ct_1", Segment{"", ""}, "r").status()) == "SEGMENT_INVALID");
  CHECK(ReasonOf(issuer.Start("ct_1", Segment{"vip", "GOLD"}, "r").status()) == "SEGMENT_INVALID");
  CHECK(FieldOf(issuer.Start("ct_1", Segment{"", "PLATINUM"}, "r").status()) == "tier");
  CHECK(ReasonOf(issuer.Start("ct_1", Segment{"vip", ""}, "").status()) == "REQUEST_ID_MISSING");
  CHECK(ReasonOf(issuer.Start("ct_9", Segment{"vip", ""}, "r").status()) == "COUPON_TEMPLATE_NOT_FOUND");
  f.clock.Advance(absl::Hours(24 * 31));
  CHECK(ReasonOf(issuer.Start("ct_1", Segment{"vip", ""}, "r").status()) == "COUPON_TEMPLATE_EXPIRED");

  CouponTemplate t;
  t.total_quantity = 2;
  t.per_user_limit = 1;
  CHECK(DecideIssue(t, 0) == IssueOutcome::kIssued);
  CHECK(DecideIssue(t, 1) == IssueOutcome::kLimitReached);
  t.claimed_quantity = 2;
  CHECK(DecideIssue(t, 0) == IssueOutcome::kSoldOut);
}

}  // namespace zhongtai::marketing
