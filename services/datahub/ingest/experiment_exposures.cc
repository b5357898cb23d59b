#include "services/datahub/ingest/experiment_exposures.h"

#include "common/log/log.h"
#include "common/proto/convert.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "zhongtai/marketing/v1/events.pb.h"

namespace zhongtai::datahub {

events::Handler MakeExperimentExposureHandler() {
  return [](pqxx::work& tx, const events::Event& event) -> absl::Status {
    if (event.type != marketing::v1::ExperimentExposure::descriptor()->full_name()) return absl::OkStatus();
    marketing::v1::ExperimentExposure exposure;
    if (!exposure.ParseFromString(event.payload) || exposure.experiment_id().empty() || exposure.arm().empty() ||
        exposure.user_id().empty()) {
      log::Error("skipping unusable exposure event", {{"type", event.type}, {"event_id", event.id}});
      return absl::OkStatus();
    }
    const absl::Time at = exposure.has_occur_time() ? proto::FromTimestamp(exposure.occur_time()) : event.occurred_at;
    PgCustomerAnalyticsStore::RecordExposure(tx, exposure.experiment_id(), exposure.user_id(), exposure.arm(), at);
    return absl::OkStatus();
  };
}

std::set<std::string> ExperimentExposureHandlerTypes() {
  return {marketing::v1::ExperimentExposure::descriptor()->full_name()};
}

}  // namespace zhongtai::datahub
