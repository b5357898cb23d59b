// CustomerAnalyticsService on an in-process gRPC server over the fakes: what an admin reads back, and bad input
// answered with INVALID_ARGUMENT naming the field and reason.
#include "services/datahub/api/customer_analytics_api.h"

#include <catch2/catch.hpp>

#include "common/proto/convert.h"
#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/datahub/tests/fake_customer_analytics_store.h"

namespace zhongtai::datahub {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilHour(2026, 7, 1, 12), absl::UTCTimeZone());

template <typename Request, typename Response, typename Method>
absl::Status Call(Method method, const Request& request, Response* response) {
  auto context = server::NewClientContext();
  ::zhongtai::testing::CallAs(*context, "gateway", "admin1", "admin");
  grpc::Status status = method(context.get(), request, response);
  return FromGrpcStatus(status, *context);
}

}  // namespace

TEST_CASE("the customer analytics routes over gRPC: RFM, LTV, experiment results, recompute and bad input") {
  FakeCustomerAnalyticsStore store;
  FakeDailyRunLease lease;
  store.customers = {{"u1", "app", kNow - absl::Hours(24 * 90), kNow - absl::Hours(24), 6, 60000},
                     {"u2", "web", kNow - absl::Hours(24 * 300), kNow - absl::Hours(24 * 300), 1, 1000}};
  store.arms = {{"control", 1000, 100, 100, 100 * 5000.0, 100 * 5000.0 * 5000.0 + 99 * 1.0e6},
                {"treatment", 1000, 130, 130, 130 * 5200.0, 130 * 5200.0 * 5200.0 + 129 * 1.0e6}};
  CustomerAnalytics analytics(store, lease);
  FakeClock clock(kNow);
  zhongtai::testing::ApiServer server("datahub");
  CustomerAnalyticsApi api(analytics, clock, server.workers());
  auto stub = server.Start<v1::CustomerAnalyticsService>(&api);
  auto call = [&](auto rpc) {
    return [&stub, rpc](grpc::ClientContext* c, const auto& req, auto* resp) { return ((*stub).*rpc)(c, req, resp); };
  };

  v1::GetRfmRequest rfm_request;
  rfm_request.set_customer_id("u1");
  v1::GetRfmResponse rfm;
  REQUIRE(Call(call(&v1::CustomerAnalyticsService::Stub::GetRfm), rfm_request, &rfm).ok());
  CHECK(rfm.customers() == 2);
  REQUIRE(rfm.segments_size() == 8);
  CHECK(rfm.segments(0).segment() == "important_value");
  CHECK(rfm.segments(0).label() == "重要价值");
  CHECK(rfm.segments(0).customers() == 1);
  CHECK(rfm.segments(0).average_monetary().amount_minor() == 60000);
  CHECK(rfm.segments(0).average_monetary().currency() == "CNY");
  CHECK(rfm.user().segment() == "important_value");
  CHECK(rfm.user().recency_days() == 1);

  v1::GetLtvRequest ltv_request;
  ltv_request.set_customer_id("u2");
  v1::GetLtvResponse ltv;
  REQUIRE(Call(call(&v1::CustomerAnalyticsService::Stub::GetLtv), ltv_request, &ltv).ok());
  CHECK(ltv.groups_size() == 2);
  CHECK(ltv.method().prior_days() == 90);
  CHECK(ltv.user().historical().amount_minor() == 1000);
  CHECK(ltv.user().channel() == "web");
  CHECK(ltv.user().predicted().amount_minor() > 0);

  v1::GetExperimentResultsRequest experiment_request;
  experiment_request.set_experiment_id("ex1");
  v1::GetExperimentResultsResponse experiment;
  REQUIRE(Call(call(&v1::CustomerAnalyticsService::Stub::GetExperimentResults), experiment_request, &experiment).ok());
  CHECK(experiment.control_arm() == "control");
  REQUIRE(experiment.arms_size() == 2);
  CHECK(experiment.arms(1).conversion_rate() == Approx(0.13));
  CHECK(experiment.arms(1).conversion().valid());
  CHECK(experiment.arms(1).conversion().difference() == Approx(0.03));
  CHECK(experiment.arms(1).conversion().p_value() < 0.05);
  CHECK(experiment.arms(1).order_value().degrees_of_freedom() > 200);
  CHECK(experiment.arms(1).average_order_value().amount_minor() == 5200);
  CHECK(experiment.sample_ratio().valid());
  CHECK_FALSE(experiment.sample_ratio().mismatch());

  v1::RecomputeSegmentsResponse recomputed;
  REQUIRE(
      Call(call(&v1::CustomerAnalyticsService::Stub::RecomputeSegments), v1::RecomputeSegmentsRequest(), &recomputed)
          .ok());
  CHECK(recomputed.customers() == 2);
  CHECK(store.saved.size() == 2);

  v1::GetExperimentResultsRequest bad_split = experiment_request;
  bad_split.set_traffic_split("control=5000");
  absl::Status status = Call(call(&v1::CustomerAnalyticsService::Stub::GetExperimentResults), bad_split, &experiment);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(status) == "trafficSplit");
  CHECK(ReasonOf(status) == "TRAFFIC_SPLIT_INVALID");

  v1::GetCohortsRequest cohorts_request;
  v1::GetCohortsResponse cohorts;
  status = Call(call(&v1::CustomerAnalyticsService::Stub::GetCohorts), cohorts_request, &cohorts);
  CHECK(FieldOf(status) == "startTime");
  *cohorts_request.mutable_start_time() = proto::ToTimestamp(kNow - absl::Hours(24 * 30));
  *cohorts_request.mutable_end_time() = proto::ToTimestamp(kNow);
  cohorts_request.set_period("day");
  status = Call(call(&v1::CustomerAnalyticsService::Stub::GetCohorts), cohorts_request, &cohorts);
  CHECK(ReasonOf(status) == "COHORT_PERIOD_INVALID");
  cohorts_request.set_period("month");
  REQUIRE(Call(call(&v1::CustomerAnalyticsService::Stub::GetCohorts), cohorts_request, &cohorts).ok());
  CHECK(cohorts.period() == "month");

  server.runner().RequestShutdown();
  CHECK(server.runner().Wait() == 0);
}

}  // namespace zhongtai::datahub
