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

}  // namespace zhongtai::datahub
