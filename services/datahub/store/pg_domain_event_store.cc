#include "services/datahub/store/pg_domain_event_store.h"

#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"

namespace zhongtai::datahub {
namespace {

// The facts $1.. (one array per column, element i of each is fact i), one row each. A user erased before the event
// arrived is not linked again; a valid_until of a fact without one ($11 0) is NULL.
constexpr char kRecordAllSql[] =
    "INSERT INTO domain_events (event_id, stream, type, subject_id, user_id, amount_minor, currency, occurred_at,"
    " valid_until, template_id) "
    "SELECT f.event_id, f.stream, f.type, f.subject_id,"
    " (SELECT NULLIF(f.user_id, '') WHERE NOT EXISTS (SELECT 1 FROM erased_users u WHERE u.user_id = f.user_id)),"
    " f.amount_minor, f.currency, 'epoch'::timestamptz + f.occurred_at * interval '1 microsecond',"
    " CASE WHEN f.has_valid_until <> 0 THEN 'epoch'::timestamptz + f.valid_until * interval '1 microsecond' END,"
    " f.template_id "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[],"
    " $9::bigint[], $10::text[], $11::bigint[])"
    " AS f (event_id, stream, type, subject_id, user_id, amount_minor, currency, occurred_at, valid_until,"
    " template_id, has_valid_until)"
    " ON CONFLICT (event_id) DO NOTHING";

}  // namespace

void PgDomainEventStore::Record(pqxx::work& tx, const DomainEventFact& fact) { RecordAll(tx, {fact}); }

void PgDomainEventStore::RecordAll(pqxx::work& tx, const std::vector<DomainEventFact>& facts) {
  if (facts.empty()) return;
  std::vector<std::string> event_ids, streams, types, subjects, users, currencies, templates;
  std::vector<int64_t> amounts, occurred, valid_until, has_valid_until;
  for (const DomainEventFact& fact : facts) {
    event_ids.push_back(fact.event_id);
    streams.push_back(fact.stream);
    types.push_back(fact.type);
    subjects.push_back(fact.subject_id);
    users.push_back(fact.user_id);
    amounts.push_back(fact.amount_minor);
    currencies.push_back(fact.currency);
    occurred.push_back(pg::Micros(fact.occurred_at));
    valid_until.push_back(fact.valid_until ? pg::Micros(*fact.valid_until) : 0);
    templates.push_back(fact.template_id);
    has_valid_until.push_back(fact.valid_until ? 1 : 0);
  }
  pg::Exec(tx, kRecordAllSql, pg::TextArrayLiteral(event_ids), pg::TextArrayLiteral(streams),
           pg::TextArrayLiteral(types), pg::TextArrayLiteral(subjects), pg::TextArrayLiteral(users),
           pg::BigintArrayLiteral(amounts), pg::TextArrayLiteral(currencies), pg::BigintArrayLiteral(occurred),
           pg::BigintArrayLiteral(valid_until), pg::TextArrayLiteral(templates),
           pg::BigintArrayLiteral(has_valid_until));
}

int64_t PgDomainEventStore::Count(pqxx::work& tx, const std::string& type) {
  return tx.exec_params1("SELECT count(*) FROM domain_events WHERE type = $1", type)[0].as<int64_t>();
}

}  // namespace zhongtai::datahub
