// The gRPC API on an in-process server over the in-memory fake.
#include <catch2/catch.hpp>

#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "google/protobuf/util/time_util.h"
#include "services/datahub/api/datahub_api.h"
#include "services/datahub/tests/in_memory_fact_store.h"

namespace zhongtai::datahub {
namespace {

using google::protobuf::util::TimeUtil;

const absl::Time kDay = absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone());

google::protobuf::Timestamp At(absl::Duration offset) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kDay + offset));
}

absl::Status Call(v1::DatahubService::Stub& stub, const v1::GetDashboardRequest& request,
                  v1::GetDashboardResponse* response) {
  auto context = server::NewClientContext();
  ::zhongtai::testing::CallAs(*context, "gateway", "admin1", "admin");
  grpc::Status status = stub.GetDashboard(context.get(), request, response);
  return FromGrpcStatus(status, *context);
}

TEST_CASE("GetDashboard over gRPC: totals as Money, and INVALID_ARGUMENT with the field for a bad range") {
  InMemoryOrderFactStore store;
  store.Record({OrderEventKind::kPlaced, "o1", kDay + absl::Hours(1), "CNY", 1000});
  store.Record({OrderEventKind::kPaid, "o1", kDay + absl::Hours(2), "CNY", 1000});
  store.Record({OrderEventKind::kPlaced, "o2", kDay + absl::Hours(3), "CNY", 501});
  store.Record({OrderEventKind::kPaid, "o2", kDay + absl::Hours(3), "CNY", 501});
  FakeClock clock(kDay + absl::Hours(12));
  KpiAnalytics analytics(store, clock, absl::UTCTimeZone(), "UTC");

  zhongtai::testing::ApiServer server("datahub");
  DatahubApi api(analytics, server.workers());
  auto stub = server.Start<v1::DatahubService>(&api);

  v1::GetDashboardRequest request;
  *request.mutable_start_time() = At(absl::ZeroDuration());
  *request.mutable_end_time() = At(absl::Hours(24));
  v1::GetDashboardResponse response;
  REQUIRE(Call(*stub, request, &response).ok());
  CHECK(response.orders_placed() == 2);
  CHECK(response.orders_paid() == 2);
  CHECK(response.gmv().amount_minor() == 1501);
  CHECK(response.gmv().currency() == "CNY");
  CHECK(response.paid_gmv().amount_minor() == 1501);
  CHECK(response.average_order_value().amount_minor() == 751);  // 750.5 half up
  CHECK(response.average_order_value().currency() == "CNY");
  CHECK(response.start_time().seconds() == absl::ToUnixSeconds(kDay));
  CHECK(response.end_time().seconds() == absl::ToUnixSeconds(kDay + absl::Hours(24)));

  v1::GetDashboardRequest missing_start;
  *missing_start.mutable_end_time() = At(absl::Hours(24));
  absl::Status status = Call(*stub, missing_start, &response);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(status) == "startTime");

  v1::GetDashboardRequest missing_end;
  *missing_end.mutable_start_time() = At(absl::Hours(24));
  CHECK(FieldOf(Call(*stub, missing_end, &response)) == "endTime");

  v1::GetDashboardRequest reversed;
  *reversed.mutable_start_time() = At(absl::Hours(24));
  *reversed.mutable_end_time() = At(absl::Hours(1));
  status = Call(*stub, reversed, &response);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(status) == "endTime");
  CHECK(ReasonOf(status) == "INVALID_TIME_RANGE");

  v1::GetDashboardRequest bad_currency = request;
  bad_currency.set_currency("yuan");
  CHECK(FieldOf(Call(*stub, bad_currency, &response)) == "currency");

  server.runner().RequestShutdown();
  CHECK(server.runner().Wait() == 0);
}

}  // namespace
}  // namespace zhongtai::datahub
