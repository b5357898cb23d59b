// Issuing to a segment on a real PostgreSQL (label store), with a fake user center: once per (template, user,
// issue) across a crash, within the total quantity even with claims racing the issue.
#include "services/marketing/store/pg_coupon_issue_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/tests/campaign_fakes.h"

namespace zhongtai::marketing {
namespace {

struct Db {
  Db() {
    pg::PoolOptions options;
    options.dsn = database.dsn();
    options.size = 8;
    options.acquire_timeout = absl::Seconds(60);
    options.name = "marketing-issue-test";
    auto opened = pg::Pool::Open(options);
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, all).ok());
    issues = std::make_unique<PgCouponIssueStore>(*pool);
    coupons = std::make_unique<PgCouponStore>(*pool);
  }
  void AddTemplate(const std::string& id, int64_t total, int64_t per_user) {
    CouponTemplate t;
    t.template_id = id;
    t.request_id = "req-" + id;
    t.name = id;
    t.currency = "CNY";
    t.type = CouponType::kNoThreshold;
    t.reduction = 500;
    t.claim_start = clock.Now() - absl::Hours(1);
    t.claim_end = clock.Now() + absl::Hours(24);
    t.valid_from = t.valid_until = absl::InfinitePast();
    t.valid_days_after_claim = 7;
    t.total_quantity = total;
    t.per_user_limit = per_user;
    t.created_at = clock.Now();
    REQUIRE(coupons->CreateTemplate(t).ok());
  }
  int64_t Count(const std::string& sql, const std::string& param) {
    int64_t n = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec_params1(sql, param)[0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgCouponIssueStore> issues;
  std::unique_ptr<PgCouponStore> coupons;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  testing::FakeSegmentDirectory directory;
};

std::vector<std::string> Users(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat("u", i));
  return out;
}

}  // namespace

TEST_CASE("an issue survives a crash and gives each member one coupon, with its events", "[store]") {
  Db db;
  db.AddTemplate("ct_1", 1000, 2);
  db.directory.SetMembers("vip", Users(45));
  CouponIssueSettings settings;
  settings.page_size = 20;
  std::string issue_id;
  const absl::Time started_at = db.clock.Now();
  {
    CouponIssuer dying(*db.issues, db.directory, db.clock, db.ids, settings);
    auto started = dying.Start("ct_1", Segment{"vip", ""}, "req-issue");
    REQUIRE(started.ok());
    issue_id = started->issue_id;
    auto replay = dying.Start("ct_1", Segment{"vip", ""}, "req-issue");
    REQUIRE(replay.ok());
    CHECK(replay->issue_id == issue_id);
    REQUIRE(*dying.RunPending(1) == 1);
  }
  // The crash came after the second page's first coupons were given but before the page was saved.
  CouponIssue half;
  half.issue_id = issue_id;
  half.template_id = "ct_1";
  for (const char* user : {"u20", "u21"}) {
    REQUIRE(*db.issues->IssueOne(half, user, db.ids.NewCouponId(), db.clock.Now()) == IssueOutcome::kIssued);
  }
  CouponIssuer resumed(*db.issues, db.directory, db.clock, db.ids, settings);
  CHECK(*resumed.RunPending() == 0);  // the dead runner's lease still holds
  db.clock.Advance(settings.lease);
  REQUIRE(*resumed.RunPending() == 2);

  const std::string key = IssueClaimKey(issue_id);
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE claim_request_id = $1", key) == 45);
  CHECK(db.Count("SELECT count(DISTINCT user_id) FROM coupons WHERE claim_request_id = $1", key) == 45);
  CHECK(db.Count("SELECT claimed_quantity FROM coupon_templates WHERE template_id = $1", "ct_1") == 45);
  CHECK(db.Count("SELECT count(*) FROM outbox WHERE type = $1", "zhongtai.marketing.v1.CouponClaimed") == 45);
  CHECK(db.Count("SELECT issued_count FROM coupon_issues WHERE issue_id = $1", issue_id) == 45);
  CHECK(db.Count("SELECT count(*) FROM coupon_issues WHERE state = $1", "DONE") == 1);
  // Valid for 7 days from the issue: the first page before the crash, the rest after the takeover.
  auto first_page = db.coupons->ListWallet("u7", std::nullopt, db.clock.Now());
  REQUIRE(first_page.ok());
  REQUIRE(first_page->size() == 1);
  CHECK(first_page->front().coupon.valid_until == started_at + absl::Hours(24 * 7));
  auto after_takeover = db.coupons->ListWallet("u30", std::nullopt, db.clock.Now());
  REQUIRE(after_takeover->size() == 1);
  CHECK(after_takeover->front().coupon.valid_until == db.clock.Now() + absl::Hours(24 * 7));
}

TEST_CASE("an issue and concurrent claims together never exceed the total quantity", "[store]") {
  Db db;
  db.AddTemplate("ct_hot", 30, 1);
  db.directory.SetMembers("all", Users(40));
  CouponIssuer issuer(*db.issues, db.directory, db.clock, db.ids);
  auto started = issuer.Start("ct_hot", Segment{"all", ""}, "req-hot");
  REQUIRE(started.ok());
  std::atomic<int> claimed{0};
  std::thread claims([&] {
    for (int i = 0; i < 20; ++i) {
      if (db.coupons->Claim("ct_hot", absl::StrCat("claimer", i), "r", db.ids.NewCouponId(), db.clock.Now()).ok()) {
        ++claimed;
      }
    }
  });
  REQUIRE(issuer.RunPending().ok());
  claims.join();
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE template_id = $1", "ct_hot") == 30);
  CHECK(db.Count("SELECT claimed_quantity FROM coupon_templates WHERE template_id = $1", "ct_hot") == 30);
  CHECK(db.Count("SELECT count(*) FROM coupon_issues WHERE state = $1", "SOLD_OUT") == 1);
  CHECK(db.Count("SELECT issued_count FROM coupon_issues WHERE issue_id = $1", started->issue_id) == 30 - claimed);
}

}  // namespace zhongtai::marketing
