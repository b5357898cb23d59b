#include "services/user/store/pg_membership_store.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/user/domain/membership_rules.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

constexpr char kLoadTiersSql[] =
    "SELECT tier, name, growth_threshold, member_price_tier, points_multiplier_percent, "
    "free_shipping_threshold_minor, birthday_coupon_template_id, zt_micros(updated_at) "
    "FROM membership_tiers ORDER BY rank";

constexpr char kSaveTierSql[] =
    "UPDATE membership_tiers SET name = $2, growth_threshold = $3, member_price_tier = $4, "
    "points_multiplier_percent = $5, free_shipping_threshold_minor = $6, birthday_coupon_template_id = $7, "
    "updated_at = zt_ts($8) WHERE tier = $1";

// The member row, created at normal on first use ($2: now); then the member lock.
constexpr char kEnsureMemberSql[] =
    "INSERT INTO members (user_id, tier, tier_since, evaluated_at) VALUES ($1, 'normal', zt_ts($2), zt_ts($2)) "
    "ON CONFLICT (user_id) DO NOTHING";
constexpr char kLockMemberSql[] =
    "SELECT tier, zt_micros(tier_since), zt_micros(evaluated_at) FROM members WHERE user_id = $1 FOR UPDATE";
constexpr char kReadMemberSql[] =
    "SELECT tier, zt_micros(tier_since), zt_micros(evaluated_at) FROM members WHERE user_id = $1";

// Growth within the window: orders paid after $2 and not reversed (the domain's rolling 12 months), less what
// partial refunds took back.
constexpr char kWindowGrowthSql[] =
    "SELECT COALESCE(SUM(growth - growth_reversed), 0)::bigint FROM order_growth "
    "WHERE user_id = $1 AND reversed_at IS NULL AND paid_at > zt_ts($2)";

// Once per order: a redelivery inserts nothing.
constexpr char kInsertOrderGrowthSql[] =
    "INSERT INTO order_growth (order_id, user_id, growth, amount_minor, tier_at_payment, paid_at) "
    "VALUES ($1, $2, $3, $4, $5, zt_ts($6)) ON CONFLICT (order_id) DO NOTHING";

constexpr char kReadOrderGrowthSql[] =
    "SELECT order_id, user_id, growth, amount_minor, tier_at_payment, zt_micros(paid_at), zt_micros(reversed_at), "
    "refunded_minor, growth_reversed FROM order_growth WHERE order_id = $1";

// A refund recorded before (the same return delivered again).
constexpr char kReadRefundSql[] =
    "SELECT refunded_before, refunded_after, completes FROM order_growth_refunds WHERE order_id = $1 AND refund_id = "
    "$2";

constexpr char kInsertRefundSql[] =
    "INSERT INTO order_growth_refunds (order_id, refund_id, refund_minor, refunded_before, refunded_after, completes, "
    "refunded_at) VALUES ($1, $2, $3, $4, $5, $6, zt_ts($7))";

// The order's running refund totals; $4 (unix micros) is the reversal time when the order is now fully refunded,
// NULL otherwise.
constexpr char kSetRefundedSql[] =
    "UPDATE order_growth SET refunded_minor = $2, growth_reversed = $3, reversed_at = zt_ts($4) WHERE order_id = $1";

// Once per order: a second reversal updates nothing.
constexpr char kReverseOrderGrowthSql[] =
    "UPDATE order_growth SET reversed_at = zt_ts($2) WHERE order_id = $1 AND reversed_at IS NULL";

constexpr char kSetTierSql[] = "UPDATE members SET tier = $2, tier_since = zt_ts($3) WHERE user_id = $1";
constexpr char kSetEvaluatedSql[] = "UPDATE members SET evaluated_at = zt_ts($2) WHERE user_id = $1";

constexpr char kInsertHistorySql[] =
    "INSERT INTO tier_history (user_id, from_tier, to_tier, growth, cause, changed_at) "
    "VALUES ($1, $2, $3, $4, $5, zt_ts($6)) RETURNING change_id";

// Members whose last evaluation is at or before $1 (the domain's evaluation interval), oldest first.
constexpr char kMembersDueSql[] =
    "SELECT user_id FROM members WHERE evaluated_at <= zt_ts($1) ORDER BY evaluated_at LIMIT $2";

constexpr char kTierHistorySql[] =
    "SELECT from_tier, to_tier, growth, cause, zt_micros(changed_at) FROM tier_history "
    "WHERE user_id = $1 ORDER BY change_id DESC LIMIT $2";

Tier TierOf(const pqxx::field& field) {
  Tier tier = Tier::kNormal;
  ParseTier(field.as<std::string>(), &tier);
  return tier;
}

Member ReadMember(const std::string& user_id, const pqxx::row& row) {
  Member member;
  member.user_id = user_id;
  member.tier = TierOf(row[0]);
  member.tier_since = TimeFromMicros(row[1]);
  member.evaluated_at = TimeFromMicros(row[2]);
  return member;
}

std::optional<OrderGrowth> ReadOrderGrowth(pqxx::work& tx, const std::string& order_id) {
  pqxx::result rows = pg::Exec(tx, kReadOrderGrowthSql, order_id);
  if (rows.empty()) return std::nullopt;
  OrderGrowth growth;
  growth.order_id = rows[0][0].as<std::string>();
  growth.user_id = rows[0][1].as<std::string>();
  growth.growth = rows[0][2].as<int64_t>();
  growth.amount_minor = rows[0][3].as<int64_t>();
  growth.tier_at_payment = TierOf(rows[0][4]);
  growth.paid_at = TimeFromMicros(rows[0][5]);
  growth.reversed_at = pg::OptionalTimeFromMicros(rows[0][6]);
  growth.refunded_minor = rows[0][7].as<int64_t>();
  growth.growth_reversed = rows[0][8].as<int64_t>();
  return growth;
}

v1::MemberTier ToProtoTier(Tier tier) { return static_cast<v1::MemberTier>(static_cast<int>(tier) + 1); }

// The member is locked; decides its tier and writes a change with its history row and its event.
absl::Status Decide(pqxx::work& tx, Member member, absl::Time at, absl::Time window_start, TierChangeCause cause,
                    const TierDecision& decide, GrowthOutcome& outcome) {
  outcome.window_growth = pg::Exec(tx, kWindowGrowthSql, member.user_id, Micros(window_start))[0][0].as<int64_t>();
  const Tier to = decide(member, outcome.window_growth);
  if (to != member.tier) {
    TierChange change{member.user_id, member.tier, to, outcome.window_growth, cause, at};
    pg::Exec(tx, kSetTierSql, member.user_id, TierCode(to), Micros(at));
    const int64_t change_id = pg::Exec(tx, kInsertHistorySql, member.user_id, TierCode(change.from), TierCode(to),
                                       change.growth, TierChangeCauseName(cause), Micros(at))[0][0]
                                  .as<int64_t>();
    v1::TierChanged message;
    message.set_user_id(member.user_id);
    message.set_from_tier(ToProtoTier(change.from));
    message.set_to_tier(ToProtoTier(to));
    message.set_growth(change.growth);
    message.set_cause(cause == TierChangeCause::kGrowth ? v1::TIER_CHANGE_CAUSE_GROWTH
                                                        : v1::TIER_CHANGE_CAUSE_EVALUATION);
    *message.mutable_occur_time() = proto::ToTimestamp(at);
    events::Event event;
    event.id = absl::StrCat("tier-changed:", change_id);
    event.type = message.GetDescriptor()->full_name();
    event.key = member.user_id;
    event.payload = message.SerializeAsString();
    event.occurred_at = at;
    RETURN_IF_ERROR(events::AppendToOutbox(tx, kUserEventStream, event));
    member.tier = to;
    member.tier_since = at;
    outcome.change = change;
  }
  outcome.member = member;
  return absl::OkStatus();
}

Member LockMember(pqxx::work& tx, const std::string& user_id, absl::Time now) {
  pg::Exec(tx, kEnsureMemberSql, user_id, Micros(now));
  return ReadMember(user_id, pg::Exec(tx, kLockMemberSql, user_id)[0]);
}

}  // namespace

absl::StatusOr<TierTable> PgMembershipStore::LoadTiers() {
  TierTable table;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    table = TierTable{};
    for (const pqxx::row& row : pg::Exec(tx, kLoadTiersSql)) {
      TierRule rule;
      rule.tier = TierOf(row[0]);
      rule.name = row[1].as<std::string>();
      rule.growth_threshold = row[2].as<int64_t>();
      rule.member_price_tier = row[3].as<std::string>();
      rule.points_multiplier_percent = row[4].as<int>();
      if (!row[5].is_null()) rule.free_shipping_threshold_minor = row[5].as<int64_t>();
      rule.birthday_coupon_template_id = row[6].as<std::string>();
      table.updated_at = std::max(table.updated_at, TimeFromMicros(row[7]));
      table.rules.push_back(std::move(rule));
    }
    return absl::OkStatus();
  }));
  return table;
}

absl::Status PgMembershipStore::SaveTiers(const TierTable& table) {
  return pool_.Transact([&](pqxx::work& tx) {
    // Thresholds are checked as a whole by the domain; the rows change together in this transaction.
    for (const TierRule& rule : table.rules) {
      std::optional<int64_t> free_shipping = rule.free_shipping_threshold_minor;
      pg::Exec(tx, kSaveTierSql, TierCode(rule.tier), rule.name, rule.growth_threshold, rule.member_price_tier,
               rule.points_multiplier_percent, free_shipping, rule.birthday_coupon_template_id,
               Micros(table.updated_at));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<GrowthOutcome> PgMembershipStore::AddOrderGrowth(const OrderGrowth& growth, absl::Time window_start,
                                                                const TierDecision& decide) {
  GrowthOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    outcome = GrowthOutcome{};
    Member member = LockMember(tx, growth.user_id, growth.paid_at);
    pqxx::result inserted = pg::Exec(tx, kInsertOrderGrowthSql, growth.order_id, growth.user_id, growth.growth,
                                     growth.amount_minor, TierCode(member.tier), Micros(growth.paid_at));
    outcome.order = *ReadOrderGrowth(tx, growth.order_id);
    if (inserted.affected_rows() == 0) {
      outcome.member = member;
      return absl::OkStatus();
    }
    outcome.applied = true;
    return Decide(tx, member, growth.paid_at, window_start, TierChangeCause::kGrowth, decide, outcome);
  }));
  return outcome;
}

absl::StatusOr<GrowthOutcome> PgMembershipStore::ReverseOrderGrowth(const std::string& order_id, absl::Time at,
                                                                    absl::Time window_start,
                                                                    const TierDecision& decide) {
  GrowthOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    outcome = GrowthOutcome{};
    std::optional<OrderGrowth> found = ReadOrderGrowth(tx, order_id);
    if (!found) return absl::OkStatus();
    Member member = LockMember(tx, found->user_id, at);
    outcome.order = *found;
    if (pg::Exec(tx, kReverseOrderGrowthSql, order_id, Micros(at)).affected_rows() == 0) {
      outcome.member = member;
      return absl::OkStatus();
    }
    outcome.order.reversed_at = at;
    outcome.applied = true;
    return Decide(tx, member, at, window_start, TierChangeCause::kGrowth, decide, outcome);
  }));
  return outcome;
}

absl::StatusOr<RefundOutcome> PgMembershipStore::ApplyOrderRefund(const OrderRefund& refund, absl::Time window_start,
                                                                  const RefundShare& share,
                                                                  const TierDecision& decide) {
  RefundOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    outcome = RefundOutcome{};
    std::optional<OrderGrowth> found = ReadOrderGrowth(tx, refund.order_id);
    if (!found) return absl::OkStatus();
    Member member = LockMember(tx, found->user_id, refund.at);
    // Read again under the member's lock: every change of the order's growth holds it.
    OrderGrowth order = *ReadOrderGrowth(tx, refund.order_id);
    outcome.order = order;
    outcome.member = member;
    pqxx::result seen = tx.exec_params(kReadRefundSql, refund.order_id, refund.refund_id);
    if (!seen.empty()) {
      outcome.refunded_before = seen[0][0].as<int64_t>();
      outcome.refunded_after = seen[0][1].as<int64_t>();
      outcome.completes = seen[0][2].as<bool>();
      return absl::OkStatus();
    }
    outcome.refunded_before = order.refunded_minor;
    if (order.reversed_at) {
      // Cancelled or fully refunded before: everything was taken back already.
      outcome.refunded_after = order.refunded_minor;
    } else {
      outcome.refunded_after = std::min(order.amount_minor, order.refunded_minor + refund.amount_minor);
      outcome.completes = refund.full || outcome.refunded_after >= order.amount_minor;
      order.refunded_minor = outcome.refunded_after;
      order.growth_reversed = share(order.growth, order.amount_minor, outcome.refunded_after, outcome.completes);
      if (outcome.completes) order.reversed_at = refund.at;
      std::optional<int64_t> reversed_at;
      if (order.reversed_at) reversed_at = Micros(*order.reversed_at);
      tx.exec_params(kSetRefundedSql, order.order_id, order.refunded_minor, order.growth_reversed, reversed_at);
    }
    tx.exec_params(kInsertRefundSql, refund.order_id, refund.refund_id, refund.amount_minor, outcome.refunded_before,
                   outcome.refunded_after, outcome.completes, Micros(refund.at));
    outcome.order = order;
    outcome.applied = true;
    GrowthOutcome decided;
    RETURN_IF_ERROR(Decide(tx, member, refund.at, window_start, TierChangeCause::kGrowth, decide, decided));
    outcome.member = decided.member;
    outcome.window_growth = decided.window_growth;
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<GrowthOutcome> PgMembershipStore::Reevaluate(const std::string& user_id, absl::Time now,
                                                            absl::Time window_start, const TierDecision& decide) {
  GrowthOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    outcome = GrowthOutcome{};
    Member member = LockMember(tx, user_id, now);
    pg::Exec(tx, kSetEvaluatedSql, user_id, Micros(now));
    member.evaluated_at = now;
    outcome.applied = true;
    return Decide(tx, member, now, window_start, TierChangeCause::kEvaluation, decide, outcome);
  }));
  return outcome;
}

absl::StatusOr<std::vector<std::string>> PgMembershipStore::MembersDueForEvaluation(absl::Time evaluated_before,
                                                                                    int limit) {
  std::vector<std::string> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : pg::Exec(tx, kMembersDueSql, Micros(evaluated_before), limit)) {
      out.push_back(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::pair<Member, int64_t>> PgMembershipStore::Standing(const std::string& user_id,
                                                                       absl::Time window_start) {
  std::pair<Member, int64_t> standing;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    standing = {};
    standing.first.user_id = user_id;
    pqxx::result rows = pg::Exec(tx, kReadMemberSql, user_id);
    if (!rows.empty()) standing.first = ReadMember(user_id, rows[0]);
    standing.second = pg::Exec(tx, kWindowGrowthSql, user_id, Micros(window_start))[0][0].as<int64_t>();
    return absl::OkStatus();
  }));
  return standing;
}

absl::StatusOr<std::vector<TierChange>> PgMembershipStore::TierHistory(const std::string& user_id, int limit) {
  std::vector<TierChange> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : pg::Exec(tx, kTierHistorySql, user_id, limit)) {
      TierChange change;
      change.user_id = user_id;
      change.from = TierOf(row[0]);
      change.to = TierOf(row[1]);
      change.growth = row[2].as<int64_t>();
      change.cause = row[3].as<std::string>() == "evaluation" ? TierChangeCause::kEvaluation : TierChangeCause::kGrowth;
      change.at = TimeFromMicros(row[4]);
      out.push_back(change);
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::user
