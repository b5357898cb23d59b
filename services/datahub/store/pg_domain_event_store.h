// Other services' domain events as the data hub keeps them (domain_events, migration 0003): one row per event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/pg/pool.h"

namespace zhongtai::datahub {

// One consumed event, reduced to what analytics asks of any event.
struct DomainEventFact {
  std::string event_id;
  std::string stream;
  std::string type;        // the proto's full name
  std::string subject_id;  // the coupon, product or user the event is about
  std::string user_id;     // empty when it names none
  int64_t amount_minor = 0;
  std::string currency;
  absl::Time occurred_at;
  std::optional<absl::Time> valid_until;  // coupons claimed or expiring soon: the end of their validity
  std::string template_id;                // coupons: their template
};

class PgDomainEventStore {
 public:
  // Inside the consumer's inbox transaction; a second record of the same event id changes nothing.
  static void Record(pqxx::work& tx, const DomainEventFact& fact);
  // The same for many facts in one statement.
  static void RecordAll(pqxx::work& tx, const std::vector<DomainEventFact>& facts);
  // How many events of `type` are stored: for tests and support.
  static int64_t Count(pqxx::work& tx, const std::string& type);
};

}  // namespace zhongtai::datahub
