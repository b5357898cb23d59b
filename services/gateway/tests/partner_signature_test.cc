// Signed partner callbacks at the gateway: the route's partner names the secret, the signature covers timestamp and
// body, and anything wrong is 401 before any upstream is called.
#include "services/gateway/partner_signature.h"

#include <catch2/catch.hpp>

#include "common/http/signature.h"
#include "common/status/status.h"
#include "services/gateway/errors.h"

namespace zhongtai::gateway {
namespace {

const RouteTable& Table() {
  static const RouteTable table = *RouteTable::Build(RouteTable::SuiteServices());
  return table;
}

TEST_CASE("the payment notification route is a partner route whose secret is named by its provider") {
  RouteMatch match = Table().Match("POST", "/v1/payments/notify/simulator");
  REQUIRE(match.kind == RouteMatch::Kind::kFound);
  CHECK(match.route->access == Access::kPartner);
  CHECK(PartnerSecretName(*match.route, match.bindings) == "payment-simulator");
}

TEST_CASE("a partner request verifies only with its own secret, within five minutes, over the exact body") {
  RouteMatch match = Table().Match("POST", "/v1/payments/notify/simulator");
  REQUIRE(match.kind == RouteMatch::Kind::kFound);
  auto secrets = ParsePartnerSecrets("payment-simulator=s3cret, payment-other=x");
  REQUIRE(secrets.ok());
  absl::Time now = absl::FromUnixSeconds(1767225600);
  std::string body = R"({"orderId":"o1","status":"SUCCEEDED"})";
  SignedRequest request{"1767225600", http::SignBody("s3cret", 1767225600, body), body};
  CHECK(VerifyPartnerRequest(*match.route, match.bindings, *secrets, request, now, absl::Minutes(5)).ok());

  SignedRequest forged = request;
  forged.signature = http::SignBody("x", 1767225600, body);  // another partner's secret
  absl::Status refused = VerifyPartnerRequest(*match.route, match.bindings, *secrets, forged, now, absl::Minutes(5));
  CHECK(ReasonOf(refused) == "SIGNATURE_INVALID");
  CHECK(ErrorResponse(refused).status == 401);

  SignedRequest changed = request;
  changed.body = R"({"orderId":"o2","status":"SUCCEEDED"})";
  CHECK(ReasonOf(VerifyPartnerRequest(*match.route, match.bindings, *secrets, changed, now, absl::Minutes(5))) ==
        "SIGNATURE_INVALID");
  CHECK(ReasonOf(VerifyPartnerRequest(*match.route, match.bindings, *secrets, request, now + absl::Minutes(6),
                                      absl::Minutes(5))) == "SIGNATURE_EXPIRED");
  CHECK(ReasonOf(VerifyPartnerRequest(*match.route, match.bindings, *secrets, {"", "", body}, now, absl::Minutes(5))) ==
        "SIGNATURE_MISSING");

  // A provider nobody configured a secret for cannot sign anything.
  RouteMatch unknown = Table().Match("POST", "/v1/payments/notify/stranger");
  SignedRequest empty_key{"1767225600", http::SignBody("", 1767225600, body), body};
  CHECK(ReasonOf(VerifyPartnerRequest(*unknown.route, unknown.bindings, *secrets, empty_key, now, absl::Minutes(5))) ==
        "SIGNATURE_INVALID");
}

TEST_CASE("partner secrets are name=secret pairs, each name once") {
  CHECK(ParsePartnerSecrets("")->empty());
  CHECK(ParsePartnerSecrets("a=1,b=2=3")->at("b") == "2=3");
  CHECK_FALSE(ParsePartnerSecrets("a").ok());
  CHECK_FALSE(ParsePartnerSecrets("=x").ok());
  CHECK_FALSE(ParsePartnerSecrets("a=1,a=2").ok());
}

}  // namespace
}  // namespace zhongtai::gateway
