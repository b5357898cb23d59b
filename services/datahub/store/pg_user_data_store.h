// What the data hub holds about one user, for the privacy rights: the export reads it, erasure (the user service's
// UserErased event) removes the user's link. SQL lives here only.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg/pool.h"
#include "services/datahub/domain/behaviour_events.h"
#include "services/datahub/domain/dashboard.h"

namespace zhongtai::datahub {

class PgUserDataStore {
 public:
  explicit PgUserDataStore(pg::Pool& pool) : pool_(pool) {}

  // In the consumer's inbox transaction: the user's order facts lose their link to the user (the amounts stay in the
  // analytics, which never show a user), and the user is remembered as erased, so that an order event arriving late
  // does not link them again. Idempotent.
  static void EraseUser(pqxx::work& tx, const std::string& user_id, absl::Time erased_at);

  // The order facts linked to the user, newest placement first.
  absl::StatusOr<std::vector<OrderFact>> ListUserOrderFacts(const std::string& user_id);

  struct UserBehaviourEvents {
    std::vector<BehaviourEvent> events;  // newest first, at most the limit asked for
    int64_t total = 0;                   // all of the user's events
  };
  // The behaviour events linked to the user, newest first, at most `limit`, with how many there are in all.
  absl::StatusOr<UserBehaviourEvents> ListUserBehaviourEvents(const std::string& user_id, int limit);

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::datahub
