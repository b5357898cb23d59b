// The gateway's authentication with the suite's real token implementation (common/auth).
#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "common/status/status.h"
#include "services/gateway/authentication.h"
#include "services/gateway/routes.h"
#include "services/gateway/transcoder.h"

namespace zhongtai::gateway {
namespace {

TEST_CASE("real access tokens: valid, expired, tampered, wrong role") {
  auth::KeyPair keys = auth::NewKeyPair();
  auth::TokenConfig config;
  config.signing_key = keys.signing_key;
  config.public_key = keys.public_key;
  absl::Time now = absl::Now();
  TokenVerifier verify = [&](absl::string_view token) { return auth::VerifyAccessToken(config, token, now); };
  static const RouteTable table = *RouteTable::Build(RouteTable::SuiteServices());
  const Route& orders = *table.Match("GET", "/v1/orders").route;
  const Route& admin = *table.Match("POST", "/v1/admin/products").route;

  std::string customer = auth::SignAccessToken(config, "u42", "customer", now);
  auto caller = Authenticate(orders, "Bearer " + customer, verify);
  REQUIRE(caller.ok());
  CHECK(caller->user_id == "u42");
  CHECK(caller->token == customer);  // forwarded for the upstream to verify again
  CHECK(ReasonOf(Authenticate(admin, "Bearer " + customer, verify).status()) == "ADMIN_REQUIRED");
  CHECK(Authenticate(admin, "Bearer " + auth::SignAccessToken(config, "a1", "admin", now), verify).ok());

  std::string old = auth::SignAccessToken(config, "u42", "customer", now - absl::Hours(1));
  CHECK(ReasonOf(Authenticate(orders, "Bearer " + old, verify).status()) == "TOKEN_EXPIRED");

  std::string tampered = customer;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  auto bad = Authenticate(orders, "Bearer " + tampered, verify);
  CHECK(bad.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(ReasonOf(bad.status()) == "TOKEN_INVALID");

  auth::TokenConfig other = config;
  other.signing_key = auth::NewKeyPair().signing_key;
  std::string foreign = auth::SignAccessToken(other, "u42", "customer", now);
  CHECK(ReasonOf(Authenticate(orders, "Bearer " + foreign, verify).status()) == "TOKEN_INVALID");
}

}  // namespace
}  // namespace zhongtai::gateway
