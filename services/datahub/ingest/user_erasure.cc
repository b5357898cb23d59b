#include "services/datahub/ingest/user_erasure.h"

#include "common/log/log.h"
#include "common/proto/convert.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "services/datahub/store/pg_user_data_store.h"
#include "zhongtai/user/v1/privacy_events.pb.h"

namespace zhongtai::datahub {

events::Handler MakeUserErasureHandler() {
  return [](pqxx::work& tx, const events::Event& event) -> absl::Status {
    if (event.type != user::v1::UserErased::descriptor()->full_name()) return absl::OkStatus();
    user::v1::UserErased erased;
    if (!erased.ParseFromString(event.payload) || erased.user_id().empty()) {
      log::Error("skipping user erasure event", {{"event_id", event.id}, {"why", "payload does not parse"}});
      return absl::OkStatus();
    }
    const absl::Time erased_at =
        erased.has_erase_time() ? proto::FromTimestamp(erased.erase_time()) : event.occurred_at;
    PgUserDataStore::EraseUser(tx, erased.user_id(), erased_at);
    PgCustomerAnalyticsStore::EraseUser(tx, erased.user_id());
    return absl::OkStatus();
  };
}

std::set<std::string> UserErasureHandlerTypes() { return {user::v1::UserErased::descriptor()->full_name()}; }

}  // namespace zhongtai::datahub
