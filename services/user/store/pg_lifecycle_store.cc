#include "services/user/store/pg_lifecycle_store.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/user/store/pg_membership_store.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

using pg::Micros;

// The row exists before it is locked, so two first updates of a customer queue on the same lock; its values are
// replaced in the same transaction by what the domain decides. No row for an unknown or erased user (erasure deletes
// the row; an order event delivered after it must not bring the profile back).
constexpr char kEnsureLifecycleSql[] =
    "INSERT INTO user_lifecycle (user_id, stage, stage_since, updated_at) "
    "SELECT user_id, 'new', created_at, now() FROM users WHERE user_id = $1 AND erased_at IS NULL "
    "ON CONFLICT (user_id) DO NOTHING";

// The facts and the stage stored, which the domain compares with its decision.
constexpr char kLockFactsSql[] =
    "SELECT zt_micros(u.created_at), zt_micros(l.last_order_at), l.stage FROM user_lifecycle l "
    "JOIN users u USING (user_id) WHERE l.user_id = $1 AND u.erased_at IS NULL FOR UPDATE OF l";

constexpr char kReadFactsSql[] =
    "SELECT zt_micros(u.created_at), zt_micros(l.last_order_at), COALESCE(l.stage, 'new') FROM users u "
    "LEFT JOIN user_lifecycle l USING (user_id) WHERE u.user_id = $1 AND u.erased_at IS NULL";

constexpr char kWriteLifecycleSql[] =
    "UPDATE user_lifecycle SET last_order_at = zt_ts($2), stage = $3, stage_since = zt_ts($4), review_at = zt_ts($5), "
    "updated_at = now() WHERE user_id = $1";

// Customers never decided (registered since the last sweep) or whose stage is due to change at $1.
constexpr char kDueForReviewSql[] =
    "(SELECT l.user_id FROM user_lifecycle l WHERE l.review_at <= zt_ts($1) ORDER BY l.review_at LIMIT $2) "
    "UNION ALL "
    "(SELECT u.user_id FROM users u WHERE u.role = 'customer' AND u.erased_at IS NULL "
    " AND NOT EXISTS (SELECT 1 FROM user_lifecycle l WHERE l.user_id = u.user_id) LIMIT $2) "
    "LIMIT $2";

std::optional<int64_t> OptionalMicros(const std::optional<absl::Time>& t) {
  if (!t) return std::nullopt;
  return Micros(*t);
}

LifecycleFacts ReadFacts(const pqxx::row& row) {
  LifecycleFacts facts{pg::TimeFromMicros(row[0]), pg::OptionalTimeFromMicros(row[1])};
  ParseLifecycleStage(row[2].as<std::string>(), &facts.stored_stage);
  return facts;
}

v1::LifecycleStage ToProtoStage(LifecycleStage stage) {
  switch (stage) {
    case LifecycleStage::kNew: return v1::LIFECYCLE_STAGE_NEW;
    case LifecycleStage::kActive: return v1::LIFECYCLE_STAGE_ACTIVE;
    case LifecycleStage::kDormant: return v1::LIFECYCLE_STAGE_DORMANT;
    case LifecycleStage::kChurned: return v1::LIFECYCLE_STAGE_CHURNED;
  }
  return v1::LIFECYCLE_STAGE_UNSPECIFIED;
}

// One event per change: a stage and its start follow from the registration and the last order alone, so the id
// names the change itself and a retried transaction writes the same one.
absl::Status PublishChange(pqxx::work& tx, const std::string& user_id, const LifecycleChange& change) {
  v1::UserLifecycleChanged message;
  message.set_user_id(user_id);
  message.set_from_stage(ToProtoStage(change.from));
  message.set_to_stage(ToProtoStage(change.to));
  *message.mutable_stage_start_time() = proto::ToTimestamp(change.since);
  *message.mutable_occur_time() = proto::ToTimestamp(change.decided_at);
  events::Event event;
  event.id = absl::StrCat("user-lifecycle:", user_id, ":", LifecycleStageCode(change.to), ":", Micros(change.since));
  event.type = message.GetDescriptor()->full_name();
  event.key = user_id;
  event.payload = message.SerializeAsString();
  event.occurred_at = change.decided_at;
  return events::AppendToOutbox(tx, kUserEventStream, event);
}

}  // namespace

absl::StatusOr<LifecycleRecord> PgLifecycleStore::UpdateLifecycle(const std::string& user_id,
                                                                  const LifecycleUpdate& decide) {
  LifecycleRecord record;
  RETURN_IF_ERROR(scope_.Run([&](pqxx::work& tx) -> absl::Status {
    pg::Exec(tx, kEnsureLifecycleSql, user_id);
    pqxx::result rows = pg::Exec(tx, kLockFactsSql, user_id);
    if (rows.empty()) return NotFound("USER_NOT_FOUND", "no such user");
    record = decide(ReadFacts(rows[0]));
    pg::Exec(tx, kWriteLifecycleSql, user_id, OptionalMicros(record.last_order_at), LifecycleStageCode(record.stage),
             Micros(record.since), OptionalMicros(record.review_at));
    if (record.change) return PublishChange(tx, user_id, *record.change);
    return absl::OkStatus();
  }));
  return record;
}

absl::StatusOr<LifecycleFacts> PgLifecycleStore::LoadFacts(const std::string& user_id) {
  LifecycleFacts facts;
  RETURN_IF_ERROR(scope_.Run([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = pg::Exec(tx, kReadFactsSql, user_id);
    if (rows.empty()) return NotFound("USER_NOT_FOUND", "no such user");
    facts = ReadFacts(rows[0]);
    return absl::OkStatus();
  }));
  return facts;
}

absl::StatusOr<std::vector<std::string>> PgLifecycleStore::DueForReview(absl::Time now, int limit) {
  std::vector<std::string> due;
  RETURN_IF_ERROR(scope_.Run([&](pqxx::work& tx) {
    due.clear();
    for (const pqxx::row& row : pg::Exec(tx, kDueForReviewSql, Micros(now), limit)) {
      due.push_back(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return due;
}

}  // namespace zhongtai::user
