#include "services/marketing/store/pg_coupon_issue_store.h"

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/marketing/domain/coupon_rules.h"
#include "services/marketing/store/enum_text.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "zhongtai/marketing/v1/events.pb.h"

namespace zhongtai::marketing {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

// coupon_issues.state (0005_campaigns.sql) in enum order.
constexpr const char* kStateTexts[] = {"RUNNING", "DONE", "SOLD_OUT"};

constexpr char kIssueColumns[] =
    "issue_id, template_id, request_id, segment_tag, segment_tier, state, page_token, issued_count, skipped_count, "
    "zt_micros(created_at), zt_micros(updated_at)";

// What issuing needs of a template, its row locked: quantities and validity.
constexpr char kLockTemplate[] =
    "SELECT total_quantity, per_user_limit, claimed_quantity, valid_days_after_claim, zt_micros(valid_from_at), "
    "zt_micros(valid_until_at) FROM coupon_templates WHERE template_id = $1 FOR UPDATE";
constexpr char kInsertIssue[] =
    "INSERT INTO coupon_issues (issue_id, template_id, request_id, segment_tag, segment_tier, state, lease_until, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'RUNNING', zt_ts($6), zt_ts($6), zt_ts($6)) "
    "ON CONFLICT (request_id) DO NOTHING RETURNING ";
// The oldest running job whose lease has passed, held from now on; SKIP LOCKED lets replicas take different jobs.
constexpr char kTakeRunnable[] =
    "UPDATE coupon_issues SET lease_until = zt_ts($2) WHERE issue_id = ("
    "SELECT issue_id FROM coupon_issues WHERE state = 'RUNNING' AND lease_until <= zt_ts($1) "
    "ORDER BY created_at, issue_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING ";
constexpr char kSaveProgress[] =
    "UPDATE coupon_issues SET state = $2, page_token = $3, issued_count = $4, skipped_count = $5, "
    "updated_at = zt_ts($6), lease_until = zt_ts($7) WHERE issue_id = $1";
constexpr char kIssuedBefore[] = "SELECT 1 FROM coupons WHERE user_id = $1 AND claim_request_id = $2";
constexpr char kHeldByUser[] = "SELECT count(*) FROM coupons WHERE template_id = $1 AND user_id = $2";
// What a per-key limit counts (UserLimitScope::kClaimKey): the user's coupons of the template under this key.
constexpr char kHeldUnderKey[] =
    "SELECT count(*) FROM coupons WHERE template_id = $1 AND user_id = $2 AND claim_request_id = $3";
constexpr char kInsertCoupon[] =
    "INSERT INTO coupons (coupon_id, template_id, user_id, claim_request_id, claim_seq, status, valid_from_at, "
    "valid_until_at, claimed_at) VALUES ($1, $2, $3, $4, $5, 'AVAILABLE', zt_ts($6), zt_ts($7), zt_ts($8))";

CouponIssue ReadIssue(const pqxx::row& row) {
  CouponIssue issue;
  issue.issue_id = row[0].as<std::string>();
  issue.template_id = row[1].as<std::string>();
  issue.request_id = row[2].as<std::string>();
  issue.segment.tag = row[3].as<std::string>();
  issue.segment.tier = row[4].as<std::string>();
  issue.state = FromText(row[5].as<std::string>(), kStateTexts, CouponIssueState::kRunning);
  issue.page_token = row[6].as<std::string>();
  issue.issued_count = row[7].as<int64_t>();
  issue.skipped_count = row[8].as<int64_t>();
  issue.created_at = TimeFromMicros(row[9]);
  issue.updated_at = TimeFromMicros(row[10]);
  return issue;
}

std::optional<CouponTemplate> LockTemplate(pqxx::work& tx, const std::string& template_id) {
  pqxx::result rows = tx.exec_params(kLockTemplate, template_id);
  if (rows.empty()) return std::nullopt;
  CouponTemplate t;
  t.template_id = template_id;
  t.total_quantity = rows[0][0].as<int64_t>();
  t.per_user_limit = rows[0][1].as<int64_t>();
  t.claimed_quantity = rows[0][2].as<int64_t>();
  t.valid_days_after_claim = rows[0][3].as<int32_t>();
  t.valid_from = rows[0][4].is_null() ? absl::InfinitePast() : TimeFromMicros(rows[0][4]);
  t.valid_until = rows[0][5].is_null() ? absl::InfinitePast() : TimeFromMicros(rows[0][5]);
  return t;
}

}  // namespace

absl::StatusOr<CouponIssueStore::CreateResult> PgCouponIssueStore::Create(const CouponIssue& issue, absl::Time now) {
  CreateResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    std::optional<CouponTemplate> t = LockTemplate(tx, issue.template_id);
    if (!t) return NotFound("COUPON_TEMPLATE_NOT_FOUND", "no such coupon template");
    pqxx::result existing = tx.exec_params(
        absl::StrCat("SELECT ", kIssueColumns, " FROM coupon_issues WHERE request_id = $1"), issue.request_id);
    if (!existing.empty()) {
      result = {ReadIssue(existing[0]), false};
      if (result.issue.template_id != issue.template_id) {
        return FailedPrecondition("REQUEST_ID_REUSED", "this request id started another issue");
      }
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(CheckIssuable(*t, now));
    pqxx::result inserted =
        tx.exec_params(absl::StrCat(kInsertIssue, kIssueColumns), issue.issue_id, issue.template_id, issue.request_id,
                       issue.segment.tag, issue.segment.tier, Micros(issue.created_at));
    if (inserted.empty()) return Aborted("COUPON_ISSUE_CONFLICT", "concurrent start, retry");
    result = {ReadIssue(inserted[0]), true};
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::optional<CouponIssue>> PgCouponIssueStore::TakeRunnable(absl::Time now, absl::Duration lease) {
  std::optional<CouponIssue> taken;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    taken.reset();
    pqxx::result rows = tx.exec_params(absl::StrCat(kTakeRunnable, kIssueColumns), Micros(now), Micros(now + lease));
    if (!rows.empty()) taken = ReadIssue(rows[0]);
    return absl::OkStatus();
  }));
  return taken;
}

absl::StatusOr<IssueOutcome> IssueCouponInTx(pqxx::work& tx, const std::string& template_id, const std::string& user_id,
                                             const std::string& claim_key, const std::string& coupon_id, absl::Time now,
                                             UserLimitScope limit_scope) {
  std::optional<CouponTemplate> t = LockTemplate(tx, template_id);
  if (!t) return NotFound("COUPON_TEMPLATE_NOT_FOUND", "no such coupon template");
  if (!tx.exec_params(kIssuedBefore, user_id, claim_key).empty()) return IssueOutcome::kAlreadyIssued;
  // Under the template's row lock, so concurrent issues to the user see each other's coupons.
  int64_t held = tx.exec_params1(kHeldByUser, template_id, user_id)[0].as<int64_t>();
  int64_t counted = limit_scope == UserLimitScope::kLifetime
                        ? held
                        : tx.exec_params1(kHeldUnderKey, template_id, user_id, claim_key)[0].as<int64_t>();
  IssueOutcome outcome = DecideIssue(*t, counted);
  if (outcome != IssueOutcome::kIssued) return outcome;
  if (tx.exec_params(coupon_sql::kTakeOneFromTemplate, template_id).empty()) return IssueOutcome::kSoldOut;
  Coupon c = NewCoupon(*t, now);
  tx.exec_params(kInsertCoupon, coupon_id, template_id, user_id, claim_key, held + 1, Micros(c.valid_from),
                 Micros(c.valid_until), Micros(now));
  v1::CouponClaimed claimed;
  claimed.set_coupon_id(coupon_id);
  claimed.set_template_id(template_id);
  claimed.set_user_id(user_id);
  *claimed.mutable_valid_until() = proto::ToTimestamp(c.valid_until);
  *claimed.mutable_occur_time() = proto::ToTimestamp(now);
  events::Event event;
  event.type = claimed.GetDescriptor()->full_name();
  event.id = absl::StrCat(coupon_id, ":CouponClaimed::", Micros(now));
  event.key = coupon_id;
  event.payload = claimed.SerializeAsString();
  event.occurred_at = now;
  RETURN_IF_ERROR(events::AppendToOutbox(tx, kMarketingEventStream, event));
  return IssueOutcome::kIssued;
}

absl::StatusOr<IssueOutcome> PgCouponIssueStore::IssueOne(const CouponIssue& issue, const std::string& user_id,
                                                          const std::string& coupon_id, absl::Time now) {
  IssueOutcome outcome = IssueOutcome::kIssued;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    ASSIGN_OR_RETURN(outcome,
                     IssueCouponInTx(tx, issue.template_id, user_id, IssueClaimKey(issue.issue_id), coupon_id, now));
    return absl::OkStatus();
  }));
  return outcome;
}

absl::Status PgCouponIssueStore::SaveProgress(const CouponIssue& issue, absl::Time now, absl::Duration lease) {
  return pool_.Transact([&](pqxx::work& tx) {
    tx.exec_params(kSaveProgress, issue.issue_id, kStateTexts[static_cast<int>(issue.state)], issue.page_token,
                   issue.issued_count, issue.skipped_count, Micros(now), Micros(now + lease));
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
