#include "services/user/store/pg_erasure_store.h"

#include "common/events/outbox.h"
#include "common/pg/arrays.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/user/domain/privacy_erasure.h"
#include "services/user/store/pg_membership_store.h"
#include "zhongtai/user/v1/privacy_events.pb.h"

namespace zhongtai::user {
namespace {

// The account row stays (points_ledger, points_holds and order_growth name its id, and accounting keeps those) but
// holds no personal data: no logins (which frees them for a new account), the placeholder nickname, no profile, and a
// password hash no password matches (not an argon2id string, so a verify fails at once). $1 user id, $2 erasure time
// (micros), $3 the placeholder nickname. Locks the row: a concurrent erasure of the same account finds it erased.
constexpr char kEraseAccountSql[] =
    "UPDATE users SET email = NULL, phone = NULL, nickname = $3, avatar_url = '', birthday = NULL, "
    "gender = 'unspecified', password_hash = 'erased', erased_at = zt_ts($2), updated_at = zt_ts($2) "
    "WHERE user_id = $1 AND erased_at IS NULL";

// Every session ends at once: refresh tokens (kept only as hashes) go; access tokens expire within their short life.
constexpr char kDeleteSessionsSql[] = "DELETE FROM refresh_sessions WHERE user_id = $1";

// The address book: names, phones and addresses of the customer and their recipients.
constexpr char kDeleteAddressesSql[] = "DELETE FROM addresses WHERE user_id = $1";

// Export archives hold a copy of everything.
constexpr char kDeleteExportsSql[] = "DELETE FROM data_exports WHERE user_id = $1";

// Tags, manual and computed (segments are profiling): they describe the person, not the accounting.
constexpr char kDeleteManualTagsSql[] = "DELETE FROM user_manual_tags WHERE user_id = $1";
constexpr char kDeleteComputedTagsSql[] = "DELETE FROM user_computed_tags WHERE user_id = $1";

// Failed-login counters by SHA-256 of the login ($1 a text[] of them): a phone's hash is easily reversed.
constexpr char kDeleteLoginFailuresSql[] = "DELETE FROM login_failures WHERE login_hash = ANY($1::text[])";

// Membership: the tier, its history and the lifecycle stage describe the person (a profile), so they go. A paid order
// arriving after the erasure finds the account erased and leaves the lifecycle alone (pg_lifecycle_store.cc).
constexpr char kDeleteMemberSql[] = "DELETE FROM members WHERE user_id = $1";
constexpr char kDeleteTierHistorySql[] = "DELETE FROM tier_history WHERE user_id = $1";
constexpr char kDeleteLifecycleSql[] = "DELETE FROM user_lifecycle WHERE user_id = $1";

// The points ledger (points_accounts, points_lots, points_holds, points_ledger) and order_growth (the growth and
// points rate of each paid order, which a later refund reverses) stay under the account's id for accounting: with
// the account row emptied they identify nobody.

}  // namespace

absl::Status PgErasureStore::EraseAccount(const Erasure& erasure) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result erased =
        tx.exec_params(kEraseAccountSql, erasure.user_id, pg::Micros(erasure.erased_at), kErasedNickname);
    if (erased.affected_rows() == 0) return NotFound("USER_NOT_FOUND", "no such user");
    tx.exec_params(kDeleteSessionsSql, erasure.user_id);
    tx.exec_params(kDeleteAddressesSql, erasure.user_id);
    tx.exec_params(kDeleteExportsSql, erasure.user_id);
    tx.exec_params(kDeleteManualTagsSql, erasure.user_id);
    tx.exec_params(kDeleteComputedTagsSql, erasure.user_id);
    tx.exec_params(kDeleteLoginFailuresSql, pg::TextArrayLiteral(erasure.login_keys));
    tx.exec_params(kDeleteMemberSql, erasure.user_id);
    tx.exec_params(kDeleteTierHistorySql, erasure.user_id);
    tx.exec_params(kDeleteLifecycleSql, erasure.user_id);

    v1::UserErased message;
    message.set_user_id(erasure.user_id);
    *message.mutable_erase_time() = proto::ToTimestamp(erasure.erased_at);
    events::Event event;
    event.id = erasure.event_id;
    event.type = message.GetDescriptor()->full_name();
    event.key = erasure.user_id;
    event.payload = message.SerializeAsString();
    event.occurred_at = erasure.erased_at;
    return events::AppendToOutbox(tx, kUserEventStream, event);
  });
}

}  // namespace zhongtai::user
