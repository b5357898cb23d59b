#include "services/datahub/store/pg_domain_event_store.h"

#include "common/pg/prepared.h"
#include "common/pg/time.h"

namespace zhongtai::datahub {
namespace {

// A user erased before the event arrived is not linked again.
constexpr char kRecordSql[] =
    "INSERT INTO domain_events (event_id, stream, type, subject_id, user_id, amount_minor, currency, occurred_at,"
    " valid_until, template_id) "
    "VALUES ($1, $2, $3, $4, (SELECT NULLIF($5, '') WHERE NOT EXISTS (SELECT 1 FROM erased_users WHERE user_id = $5)),"
    " $6, $7, 'epoch'::timestamptz + $8::bigint * interval '1 microsecond',"
    " CASE WHEN $11::boolean THEN 'epoch'::timestamptz + $9::bigint * interval '1 microsecond' END, $10)"
    " ON CONFLICT (event_id) DO NOTHING";

}  // namespace

void PgDomainEventStore::Record(pqxx::work& tx, const DomainEventFact& fact) {
  pg::Exec(tx, kRecordSql, fact.event_id, fact.stream, fact.type, fact.subject_id, fact.user_id, fact.amount_minor,
           fact.currency, pg::Micros(fact.occurred_at), fact.valid_until ? pg::Micros(*fact.valid_until) : int64_t{0},
           fact.template_id, fact.valid_until.has_value());
}

int64_t PgDomainEventStore::Count(pqxx::work& tx, const std::string& type) {
  return tx.exec_params1("SELECT count(*) FROM domain_events WHERE type = $1", type)[0].as<int64_t>();
}

}  // namespace zhongtai::datahub
