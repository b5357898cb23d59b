// The webhook rules without a database: URL parsing, the SSRF guard's ranges, event type matching, the retry
// schedule.
#include "services/datahub/domain/webhooks.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

std::string RangeOf(const std::string& address) {
  std::optional<IpAddress> ip = ParseIpAddress(address);
  REQUIRE(ip.has_value());
  return ForbiddenRange(*ip);
}

TEST_CASE("Webhook URLs: absolute http(s) with host, port and path, nothing else") {
  absl::StatusOr<WebhookUrl> url = ParseWebhookUrl("https://erp.example.com:8443/hooks/zt?x=1");
  REQUIRE(url.ok());
  CHECK(url->scheme == "https");
  CHECK(url->host == "erp.example.com");
  CHECK(url->port == 8443);
  CHECK(url->target == "/hooks/zt?x=1");
  url = ParseWebhookUrl("https://[2001:db8::1]/h");
  REQUIRE(url.ok());
  CHECK(url->host == "2001:db8::1");
  CHECK(url->port == 443);
  CHECK(ParseWebhookUrl("HTTP://Example.COM")->host == "example.com");
  for (const char* bad :
       {"", "example.com/hook", "https://user:pw@example.com/", "https://example.com:0/", "https://example.com:99999/",
        "https://exa mple.com/", "https:///path", "https://[::1/", "https://example.com/#frag"}) {
    INFO(bad);
    absl::StatusOr<WebhookUrl> parsed = ParseWebhookUrl(bad);
    CHECK_FALSE(parsed.ok());
    CHECK(FieldOf(parsed.status()) == "url");
  }
  CHECK(ReasonOf(ParseWebhookUrl("ftp://example.com/").status()) == "WEBHOOK_URL_NOT_ALLOWED");
  CHECK(ReasonOf(ParseWebhookUrl("gopher://127.0.0.1:6379/_").status()) == "WEBHOOK_URL_NOT_ALLOWED");
}

TEST_CASE("The SSRF guard's ranges, IPv4 and IPv6, and IPv4 carried inside IPv6") {
  CHECK(RangeOf("127.0.0.1") == "loopback");
  CHECK(RangeOf("127.255.0.9") == "loopback");
  CHECK(RangeOf("10.0.0.1") == "private");
  CHECK(RangeOf("172.16.5.4") == "private");
  CHECK(RangeOf("172.31.255.255") == "private");
  CHECK(RangeOf("172.32.0.1").empty());
  CHECK(RangeOf("192.168.0.1") == "private");
  CHECK(RangeOf("169.254.169.254") == "link-local (cloud metadata)");
  CHECK(RangeOf("100.100.100.200") == "carrier-grade NAT (cloud metadata)");
  CHECK(RangeOf("0.0.0.0") == "this network");
  CHECK(RangeOf("224.0.0.1") == "multicast");
  CHECK(RangeOf("255.255.255.255") != "");
  CHECK(RangeOf("8.8.8.8").empty());
  CHECK(RangeOf("1.1.1.1").empty());
  CHECK(RangeOf("::1") == "loopback");
  CHECK(RangeOf("::") == "unspecified");
  CHECK(RangeOf("fe80::1") == "link-local");
  CHECK(RangeOf("fd00:ec2::254") == "unique local (cloud metadata)");
  CHECK(RangeOf("ff02::1") == "multicast");
  CHECK(RangeOf("::ffff:127.0.0.1") == "loopback");
  CHECK(RangeOf("::ffff:10.1.1.1") == "private");
  CHECK(RangeOf("64:ff9b::a9fe:a9fe") == "link-local (cloud metadata)");  // NAT64 of 169.254.169.254
  CHECK(RangeOf("2002:7f00:1::") == "loopback");                          // 6to4 of 127.0.0.1
  CHECK(RangeOf("2606:4700:4700::1111").empty());
  CHECK(RangeOf("::ffff:8.8.8.8").empty());
}

TEST_CASE("The allow-list admits a forbidden address, the scheme rule admits http only when configured") {
  WebhookUrlPolicy policy;
  const IpAddress loopback = *ParseIpAddress("127.0.0.1");
  absl::Status refused = CheckWebhookAddress(policy, loopback);
  CHECK(ReasonOf(refused) == "WEBHOOK_URL_NOT_ALLOWED");
  CHECK(FieldOf(refused) == "url");
  policy.allowed_networks.push_back(*ParseIpNetwork("127.0.0.0/8"));
  CHECK(CheckWebhookAddress(policy, loopback).ok());
  CHECK_FALSE(CheckWebhookAddress(policy, *ParseIpAddress("10.0.0.1")).ok());
  CHECK_FALSE(ParseIpNetwork("10.0.0.0/33").has_value());
  CHECK_FALSE(ParseIpNetwork("nonsense").has_value());
  CHECK(ParseIpNetwork("::1")->Contains(*ParseIpAddress("::1")));

  const WebhookUrl http = *ParseWebhookUrl("http://example.com/");
  CHECK(ReasonOf(CheckWebhookScheme(policy, http)) == "WEBHOOK_URL_NOT_ALLOWED");
  policy.allow_http = true;
  CHECK(CheckWebhookScheme(policy, http).ok());

  // A name is judged by every address it resolves to; one that does not resolve is refused.
  WebhookUrlPolicy strict;
  HostResolver mixed = [](const std::string&) -> absl::StatusOr<std::vector<IpAddress>> {
    return std::vector<IpAddress>{*ParseIpAddress("93.184.216.34"), *ParseIpAddress("10.0.0.7")};
  };
  absl::Status status = CheckWebhookUrl(strict, mixed, *ParseWebhookUrl("https://rebind.example/"));
  CHECK(ReasonOf(status) == "WEBHOOK_URL_NOT_ALLOWED");
  CHECK(absl::StrContains(status.message(), "10.0.0.7"));
  HostResolver none = [](const std::string&) -> absl::StatusOr<std::vector<IpAddress>> {
    return absl::InvalidArgumentError("no such host");
  };
  CHECK(ReasonOf(CheckWebhookUrl(strict, none, *ParseWebhookUrl("https://nowhere.example/"))) ==
        "WEBHOOK_URL_UNRESOLVABLE");
  HostResolver pub = [](const std::string&) -> absl::StatusOr<std::vector<IpAddress>> {
    return std::vector<IpAddress>{*ParseIpAddress("93.184.216.34")};
  };
  CHECK(CheckWebhookUrl(strict, pub, *ParseWebhookUrl("https://erp.example/")).ok());
}

TEST_CASE("Event types: identifiers, deduplicated, matched by full or short name") {
  std::vector<std::string> types = {"OrderPaid", " zhongtai.order.v1.OrderShipped ", "OrderPaid"};
  REQUIRE(NormalizeEventTypes(types).ok());
  CHECK(types == std::vector<std::string>{"OrderPaid", "zhongtai.order.v1.OrderShipped"});
  std::vector<std::string> bad = {"Order Paid"};
  CHECK(FieldOf(NormalizeEventTypes(bad)) == "eventTypes");
  std::vector<std::string> empty;
  CHECK(FieldOf(NormalizeEventTypes(empty)) == "eventTypes");
  CHECK(EventTypeMatches(types, "zhongtai.order.v1.OrderPaid"));
  CHECK(EventTypeMatches(types, "zhongtai.order.v1.OrderShipped"));
  CHECK_FALSE(EventTypeMatches(types, "zhongtai.order.v2.OrderShipped"));
  CHECK(EventTypeMatches({"DailyReportPublished"}, "zhongtai.datahub.v1.DailyReportPublished"));
  CHECK(ShortEventType("zhongtai.user.v1.TierChanged") == "TierChanged");
}

TEST_CASE("Retries back off exponentially with jitter, capped, until the budget is spent") {
  RetryPolicy policy;
  policy.base = absl::Seconds(10);
  policy.max_delay = absl::Hours(1);
  policy.jitter = 0.5;
  policy.budget = absl::Hours(24);
  CHECK(policy.Delay(1, 0) == absl::Seconds(10));
  CHECK(policy.Delay(2, 0) == absl::Seconds(20));
  CHECK(policy.Delay(3, 0) == absl::Seconds(40));
  CHECK(policy.Delay(3, 1) == absl::Seconds(20));  // half off at most
  CHECK(policy.Delay(20, 0) == absl::Hours(1));
  CHECK(policy.Delay(1000, 0) == absl::Hours(1));
  const absl::Time start = absl::FromUnixSeconds(1'700'000'000);
  // With no jitter the schedule reaches 24 hours after about 30 attempts, then stops.
  absl::Time now = start;
  int attempts = 0;
  std::optional<absl::Time> next = start;
  while (next) {
    now = *next;
    ++attempts;
    next = policy.NextAttempt(now, start, attempts, 0);
  }
  CHECK(now <= start + absl::Hours(24));
  CHECK(now > start + absl::Hours(23));
  CHECK(attempts > 20);
  CHECK(attempts < 40);
}

}  // namespace
}  // namespace zhongtai::datahub
