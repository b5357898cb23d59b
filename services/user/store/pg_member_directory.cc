#include "services/user/store/pg_member_directory.h"

#include "absl/strings/str_cat.h"
#include "common/pg/arrays.h"
#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

using pg::Micros;

// A customer without a members row is at normal (membership creates it on the first order); one without a
// user_lifecycle row registered after the last lifecycle sweep, so is new (DecideLifecycle for a customer
// without orders within the new window; a store test checks they agree).
constexpr char kMemberColumns[] =
    "SELECT u.user_id, u.nickname, COALESCE(m.tier, 'normal'), COALESCE(l.stage, 'new'), COALESCE(p.balance, 0), "
    "zt_micros(u.created_at), zt_micros(l.last_order_at), zt_micros(l.stage_since), "
    "ARRAY(SELECT t.tag FROM user_manual_tags t WHERE t.user_id = u.user_id ORDER BY t.tag COLLATE \"C\"), "
    "ARRAY(SELECT c.tag FROM user_computed_tags c WHERE c.user_id = u.user_id ORDER BY c.kind) "
    "FROM users u LEFT JOIN members m USING (user_id) LEFT JOIN user_lifecycle l USING (user_id) "
    "LEFT JOIN points_accounts p USING (user_id) ";

// $1 a tag, or '' for any: manual or computed.
constexpr char kHasTag[] =
    "($1 = '' OR EXISTS (SELECT 1 FROM user_manual_tags t WHERE t.user_id = u.user_id AND t.tag = $1) "
    "OR EXISTS (SELECT 1 FROM user_computed_tags c WHERE c.user_id = u.user_id AND c.tag = $1))";

// Filters given ('' or NULL: not given): $1 tag, $2 tier, $3 stage, $4/$5 registration range [from, before),
// $6/$7 the last row shown; newest registration first.
const std::string& ListMembersSql() {
  static const std::string sql = absl::StrCat(
      kMemberColumns, "WHERE u.role = 'customer' AND ", kHasTag,
      " AND ($2 = '' OR COALESCE(m.tier, 'normal') = $2) AND ($3 = '' OR COALESCE(l.stage, 'new') = $3)"
      " AND ($4::bigint IS NULL OR u.created_at >= zt_ts($4)) AND ($5::bigint IS NULL OR u.created_at < zt_ts($5))"
      " AND ($6::bigint IS NULL OR (u.created_at, u.user_id) < (zt_ts($6), $7::text))"
      " ORDER BY u.created_at DESC, u.user_id DESC LIMIT $8");
  return sql;
}

// $1 tag, $2 tier ('' for any), after user id $3, in user id order.
const std::string& SegmentMembersSql() {
  static const std::string sql = absl::StrCat(
      "SELECT u.user_id FROM users u LEFT JOIN members m USING (user_id) WHERE u.role = 'customer' AND u.user_id > $3 "
      "AND ",
      kHasTag, " AND ($2 = '' OR COALESCE(m.tier, 'normal') = $2) ORDER BY u.user_id LIMIT $4");
  return sql;
}

// Customers at stage $1 (and tier $2 unless ''), the most recent last order first.
const std::string& ByStageSql() {
  static const std::string sql =
      absl::StrCat(kMemberColumns,
                   "WHERE u.role = 'customer' AND l.stage = $1 AND ($2 = '' OR COALESCE(m.tier, 'normal') = $2) "
                   "ORDER BY l.last_order_at DESC NULLS LAST, u.user_id DESC LIMIT $3");
  return sql;
}

MemberRow ReadRow(const pqxx::row& row) {
  MemberRow member;
  member.user_id = row[0].as<std::string>();
  member.nickname = row[1].as<std::string>();
  ParseTier(row[2].as<std::string>(), &member.tier);
  ParseLifecycleStage(row[3].as<std::string>(), &member.stage);
  member.points_balance = row[4].as<int64_t>();
  member.registered_at = pg::TimeFromMicros(row[5]);
  member.last_order_at = pg::OptionalTimeFromMicros(row[6]);
  member.stage_since = pg::OptionalTimeFromMicros(row[7]);
  member.tags = pg::TextArray(row[8]);
  for (std::string& tag : pg::TextArray(row[9])) member.tags.push_back(std::move(tag));
  return member;
}

std::string TierText(const std::optional<Tier>& tier) { return tier ? TierCode(*tier) : ""; }

std::optional<int64_t> OptionalMicros(const std::optional<absl::Time>& t) {
  if (!t) return std::nullopt;
  return Micros(*t);
}

}  // namespace

absl::StatusOr<std::vector<MemberRow>> PgMemberDirectory::ListMembers(const MemberFilter& filter,
                                                                      const std::optional<MemberCursor>& after,
                                                                      int limit) {
  std::vector<MemberRow> rows;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    rows.clear();
    std::optional<int64_t> after_micros;
    std::string after_id;
    if (after) {
      after_micros = Micros(after->registered_at);
      after_id = after->user_id;
    }
    for (const pqxx::row& row : tx.exec_params(
             ListMembersSql(), filter.tag, TierText(filter.tier),
             std::string(filter.stage ? LifecycleStageCode(*filter.stage) : ""), OptionalMicros(filter.registered_from),
             OptionalMicros(filter.registered_before), after_micros, after_id, limit)) {
      rows.push_back(ReadRow(row));
    }
    return absl::OkStatus();
  }));
  return rows;
}

absl::StatusOr<std::vector<std::string>> PgMemberDirectory::ListSegmentMembers(const SegmentQuery& query) {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    ids.clear();
    for (const pqxx::row& row :
         tx.exec_params(SegmentMembersSql(), query.tag, TierText(query.tier), query.after_user_id, query.limit)) {
      ids.push_back(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return ids;
}

absl::StatusOr<std::vector<MemberRow>> PgMemberDirectory::ListByStage(LifecycleStage stage,
                                                                      const std::optional<Tier>& tier, int limit) {
  std::vector<MemberRow> rows;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    rows.clear();
    for (const pqxx::row& row : tx.exec_params(ByStageSql(), LifecycleStageCode(stage), TierText(tier), limit)) {
      rows.push_back(ReadRow(row));
    }
    return absl::OkStatus();
  }));
  return rows;
}

}  // namespace zhongtai::user
