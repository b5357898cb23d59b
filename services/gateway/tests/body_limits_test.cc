#include "services/gateway/body_limits.h"

#include <catch2/catch.hpp>

namespace zhongtai::gateway {
namespace {

const RouteTable& Table() {
  static const RouteTable table = *RouteTable::Build(RouteTable::SuiteServices());
  return table;
}

TEST_CASE("route body limits parse from METHOD /template=BYTES lists") {
  auto parsed = ParseRouteBodyLimits(" POST /v1/admin/products=262144 , post /v1/orders=2048", 1024, 1 << 20);
  REQUIRE(parsed.ok());
  CHECK(parsed->size() == 2);
  CHECK(parsed->at("POST /v1/admin/products") == 262144);
  CHECK(parsed->at("POST /v1/orders") == 2048);
  CHECK(ParseRouteBodyLimits("", 1024, 1 << 20)->empty());

  CHECK_FALSE(ParseRouteBodyLimits("POST /v1/orders", 1024, 1 << 20).ok());     // no size
  CHECK_FALSE(ParseRouteBodyLimits("/v1/orders=2048", 1024, 1 << 20).ok());     // no method
  CHECK_FALSE(ParseRouteBodyLimits("POST /v1/orders=12", 1024, 1 << 20).ok());  // under the minimum
  CHECK_FALSE(ParseRouteBodyLimits("POST /v1/orders=lots", 1024, 1 << 20).ok());
  CHECK_FALSE(ParseRouteBodyLimits("POST /v1/orders=2048,POST /v1/orders=4096", 1024, 1 << 20).ok());
}

TEST_CASE("a route override applies to its requests and the rest get the default") {
  auto limits =
      BodyLimits::Create(64 << 10, {{"POST /v1/admin/products", 256 << 10}, {"POST /v1/orders", 4096}}, Table());
  REQUIRE(limits.ok());
  CHECK(limits->For("POST", "/v1/admin/products") == 256 << 10);
  CHECK(limits->For("POST", "/v1/orders?x=1") == 4096);
  CHECK(limits->For("POST", "/v1/orders/o1:pay") == 64 << 10);
  CHECK(limits->For("GET", "/nowhere") == 64 << 10);
  CHECK(limits->max() == 256 << 10);

  // The JSON-name template works too; a route that does not exist is a start-up error.
  CHECK(BodyLimits::Create(64 << 10, {{"POST /v1/orders/{orderId}:pay", 2048}}, Table()).ok());
  auto unknown = BodyLimits::Create(64 << 10, {{"POST /v1/nowhere", 2048}}, Table());
  CHECK(unknown.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zhongtai::gateway
