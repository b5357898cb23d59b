#include "services/datahub/store/pg_user_data_store.h"

#include <pqxx/pqxx>

#include "common/pg/time.h"

namespace zhongtai::datahub {
namespace {

// $1 user id, $2 erasure time (micros).
constexpr char kRememberErasedSql[] =
    "INSERT INTO erased_users (user_id, erased_at) VALUES ($1, 'epoch'::timestamptz + $2::bigint * interval "
    "'1 microsecond') ON CONFLICT (user_id) DO NOTHING";

// Unlinks rather than deletes: the dashboard's totals of past days stay what they were.
constexpr char kUnlinkOrderFactsSql[] = "UPDATE order_facts SET user_id = NULL, updated_at = now() WHERE user_id = $1";

// Behaviour events and other services' events keep their counts without the user; the user's funnel journeys get
// a random visitor name (the funnel's figures stay, the link to the user goes).
constexpr char kUnlinkBehaviourEventsSql[] = "UPDATE behaviour_events SET user_id = NULL WHERE user_id = $1";
constexpr char kUnlinkDomainEventsSql[] = "UPDATE domain_events SET user_id = NULL WHERE user_id = $1";
constexpr char kUnlinkJourneysSql[] =
    "UPDATE funnel_journeys SET visitor = 'erased:' || md5(random()::text) WHERE visitor = 'u:' || $1";

constexpr char kUserOrderFactsSql[] =
    "SELECT order_id, currency, (EXTRACT(EPOCH FROM placed_at) * 1000000)::bigint, total_minor, "
    "(EXTRACT(EPOCH FROM paid_at) * 1000000)::bigint, paid_minor, (EXTRACT(EPOCH FROM cancelled_at) * 1000000)::bigint "
    "FROM order_facts WHERE user_id = $1 ORDER BY placed_at DESC NULLS LAST, order_id DESC";

// The user's behaviour events, newest first (index behaviour_events_user), and how many there are.
constexpr char kUserBehaviourEventsSql[] =
    "SELECT event_id, event_type, (EXTRACT(EPOCH FROM occurred_at) * 1000000)::bigint, device_id, session_id, "
    "channel, COALESCE(product_id, ''), COALESCE(sku_id, ''), COALESCE(query, '') "
    "FROM behaviour_events WHERE user_id = $1 ORDER BY occurred_at DESC, event_id DESC LIMIT $2";
constexpr char kCountUserBehaviourEventsSql[] = "SELECT count(*) FROM behaviour_events WHERE user_id = $1";

}  // namespace

void PgUserDataStore::EraseUser(pqxx::work& tx, const std::string& user_id, absl::Time erased_at) {
  tx.exec_params(kRememberErasedSql, user_id, pg::Micros(erased_at));
  tx.exec_params(kUnlinkOrderFactsSql, user_id);
  tx.exec_params(kUnlinkBehaviourEventsSql, user_id);
  tx.exec_params(kUnlinkDomainEventsSql, user_id);
  tx.exec_params(kUnlinkJourneysSql, user_id);
}

absl::StatusOr<std::vector<OrderFact>> PgUserDataStore::ListUserOrderFacts(const std::string& user_id) {
  std::vector<OrderFact> facts;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    facts.clear();
    for (const pqxx::row& row : tx.exec_params(kUserOrderFactsSql, user_id)) {
      OrderFact f;
      f.order_id = row[0].as<std::string>();
      f.currency = row[1].as<std::string>();
      f.placed_at = pg::OptionalTimeFromMicros(row[2]);
      f.total_minor = row[3].as<int64_t>();
      f.paid_at = pg::OptionalTimeFromMicros(row[4]);
      f.paid_minor = row[5].as<int64_t>();
      f.cancelled_at = pg::OptionalTimeFromMicros(row[6]);
      facts.push_back(std::move(f));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return facts;
}

absl::StatusOr<PgUserDataStore::UserBehaviourEvents> PgUserDataStore::ListUserBehaviourEvents(
    const std::string& user_id, int limit) {
  UserBehaviourEvents out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out = UserBehaviourEvents{};
    for (const pqxx::row& row : tx.exec_params(kUserBehaviourEventsSql, user_id, limit)) {
      BehaviourEvent e;
      e.event_id = row[0].as<std::string>();
      e.type = static_cast<BehaviourEventType>(row[1].as<int>());
      e.occurred_at = pg::TimeFromMicros(row[2]);
      e.device_id = row[3].as<std::string>();
      e.user_id = user_id;
      e.session_id = row[4].as<std::string>();
      e.channel = row[5].as<std::string>();
      e.product_id = row[6].as<std::string>();
      e.sku_id = row[7].as<std::string>();
      e.query = row[8].as<std::string>();
      out.events.push_back(std::move(e));
    }
    out.total = tx.exec_params(kCountUserBehaviourEventsSql, user_id)[0][0].as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace zhongtai::datahub
