#include "services/user/store/pg_tag_store.h"

#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

using pg::Micros;

// Serialises changes of one member's tags (the count limit, newer-computation-wins) without locking the users row
// that sign-in and profile changes use; released at commit.
constexpr char kLockMemberTagsSql[] = "SELECT pg_advisory_xact_lock(hashtextextended('user-tags:' || $1, 0))";

constexpr char kUserExistsSql[] = "SELECT 1 FROM users WHERE user_id = $1";

// Byte order, as the domain sorts and searches them.
constexpr char kManualTagsSql[] = "SELECT tag FROM user_manual_tags WHERE user_id = $1 ORDER BY tag COLLATE \"C\"";

constexpr char kComputedTagsSql[] =
    "SELECT kind, tag, zt_micros(computed_at) FROM user_computed_tags WHERE user_id = $1 ORDER BY kind";

constexpr char kAddManualTagSql[] =
    "INSERT INTO user_manual_tags (user_id, tag, added_at) VALUES ($1, $2, zt_ts($3)) ON CONFLICT DO NOTHING";

constexpr char kRemoveManualTagSql[] = "DELETE FROM user_manual_tags WHERE user_id = $1 AND tag = $2";

// The domain decided that this computation replaces the member's tag of its kind (ReplacesComputedTag).
constexpr char kPutComputedTagSql[] =
    "INSERT INTO user_computed_tags (user_id, kind, tag, computed_at) VALUES ($1, $2, $3, zt_ts($4)) "
    "ON CONFLICT (user_id, kind) DO UPDATE SET tag = EXCLUDED.tag, computed_at = EXCLUDED.computed_at";

MemberTags ReadTags(pqxx::work& tx, const std::string& user_id) {
  MemberTags tags;
  for (const pqxx::row& row : pg::Exec(tx, kManualTagsSql, user_id)) tags.manual.push_back(row[0].as<std::string>());
  for (const pqxx::row& row : pg::Exec(tx, kComputedTagsSql, user_id)) {
    ComputedTag tag;
    ParseComputedKind(row[0].as<std::string>(), &tag.kind);
    tag.tag = row[1].as<std::string>();
    tag.computed_at = pg::TimeFromMicros(row[2]);
    tags.computed.push_back(std::move(tag));
  }
  return tags;
}

}  // namespace

absl::StatusOr<MemberTags> PgTagStore::UpdateTags(const std::string& user_id, const TagDecision& decide) {
  MemberTags after;
  RETURN_IF_ERROR(scope_.Run([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(kLockMemberTagsSql, user_id);
    if (tx.exec_params(kUserExistsSql, user_id).empty()) return NotFound("USER_NOT_FOUND", "no such user");
    ASSIGN_OR_RETURN(TagChange change, decide(ReadTags(tx, user_id)));
    for (const std::string& tag : change.add_manual) tx.exec_params(kAddManualTagSql, user_id, tag, Micros(change.at));
    for (const std::string& tag : change.remove_manual) tx.exec_params(kRemoveManualTagSql, user_id, tag);
    for (const ComputedTag& tag : change.put_computed) {
      tx.exec_params(kPutComputedTagSql, user_id, ComputedKindCode(tag.kind), tag.tag, Micros(tag.computed_at));
    }
    after = ReadTags(tx, user_id);
    return absl::OkStatus();
  }));
  return after;
}

absl::StatusOr<MemberTags> PgTagStore::LoadTags(const std::string& user_id) {
  MemberTags tags;
  RETURN_IF_ERROR(scope_.Run([&](pqxx::work& tx) {
    tags = ReadTags(tx, user_id);
    return absl::OkStatus();
  }));
  return tags;
}

}  // namespace zhongtai::user
