#include "services/datahub/domain/webhooks.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

absl::Status BadUrl(absl::string_view why) {
  return InvalidArgument("url", "WEBHOOK_URL_INVALID", absl::StrCat("url ", why));
}

absl::Status NotAllowed(absl::string_view why) {
  return InvalidArgument("url", "WEBHOOK_URL_NOT_ALLOWED", absl::StrCat("url not allowed: ", why));
}

struct Range {
  const char* network;
  const char* name;
};

// IPv4 ranges (as IPv4-mapped networks once parsed) and IPv6 ranges a webhook may not reach.
constexpr Range kForbidden[] = {
    {"0.0.0.0/8", "this network"},
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "carrier-grade NAT (cloud metadata)"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local (cloud metadata)"},
    {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "IETF protocol assignments"},
    {"192.0.2.0/24", "documentation"},
    {"192.88.99.0/24", "6to4 relay anycast"},
    {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},
    {"255.255.255.255/32", "broadcast"},
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"100::/64", "discard"},
    {"2001:db8::/32", "documentation"},
    {"fc00::/7", "unique local (cloud metadata)"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local"},
    {"ff00::/8", "multicast"},
};

const std::vector<std::pair<IpNetwork, std::string>>& ForbiddenNetworks() {
  static const auto* networks = [] {
    auto* out = new std::vector<std::pair<IpNetwork, std::string>>();
    for (const Range& range : kForbidden) out->emplace_back(*ParseIpNetwork(range.network), range.name);
    return out;
  }();
  return *networks;
}

bool IsIdentifier(absl::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  for (absl::string_view part : absl::StrSplit(name, '.')) {
    if (part.empty() || !(absl::ascii_isalpha(part[0]) || part[0] == '_')) return false;
    for (char c : part) {
      if (!absl::ascii_isalnum(c) && c != '_') return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view url) {
  if (url.empty()) return InvalidArgument("url", "REQUIRED", "url is required");
  if (url.size() > 2048) return BadUrl("is longer than 2048 characters");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return BadUrl("has a space, control or non-ASCII character");
    }
  }
  WebhookUrl out;
  size_t colon = url.find("://");
  if (colon == absl::string_view::npos) return BadUrl("is not absolute (scheme://host/path)");
  out.scheme = absl::AsciiStrToLower(url.substr(0, colon));
  if (out.scheme != "https" && out.scheme != "http") return NotAllowed("the scheme must be https");
  absl::string_view rest = url.substr(colon + 3);
  if (absl::StrContains(rest, '#')) return BadUrl("has a fragment");
  size_t slash = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, slash);
  out.target = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!out.target.empty() && out.target[0] == '?') out.target = "/" + out.target;
  if (absl::StrContains(authority, '@')) return BadUrl("has user info");
  if (authority.empty()) return BadUrl("has no host");
  absl::string_view host = authority;
  absl::string_view port;
  if (authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) return BadUrl("has an unclosed IPv6 address");
    host = authority.substr(1, close - 1);
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return BadUrl("has a malformed port");
      port = after.substr(1);
    }
    if (!ParseIpAddress(host)) return BadUrl("has a malformed IPv6 address");
  } else {
    size_t c = authority.rfind(':');
    if (c != absl::string_view::npos) {
      host = authority.substr(0, c);
      port = authority.substr(c + 1);
    }
    if (host.empty()) return BadUrl("has no host");
    for (char ch : host) {
      if (!absl::ascii_isalnum(ch) && ch != '-' && ch != '.') return BadUrl("has a malformed host name");
    }
  }
  out.host = absl::AsciiStrToLower(host);
  if (port.empty()) {
    out.port = out.scheme == "https" ? 443 : 80;
  } else if (!absl::SimpleAtoi(port, &out.port) || out.port < 1 || out.port > 65535) {
    return BadUrl("has a malformed port");
  }
  return out;
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {0};
  if (v4) {
    inet_ntop(AF_INET, bytes.data() + 12, text, sizeof(text));
  } else {
    inet_ntop(AF_INET6, bytes.data(), text, sizeof(text));
  }
  return text;
}

std::optional<IpAddress> ParseIpAddress(absl::string_view text) {
  std::string s(text);
  IpAddress out;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out.v4 = true;
    out.bytes[10] = 0xff;
    out.bytes[11] = 0xff;
    std::memcpy(out.bytes.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.bytes.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool IpNetwork::Contains(const IpAddress& address) const {
  int bits = prefix;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((address.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

std::optional<IpNetwork> ParseIpNetwork(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(absl::StripAsciiWhitespace(text), '/');
  if (parts.empty() || parts.size() > 2) return std::nullopt;
  std::optional<IpAddress> base = ParseIpAddress(parts[0]);
  if (!base) return std::nullopt;
  IpNetwork network;
  network.base = *base;
  int max = base->v4 ? 32 : 128;
  int prefix = max;
  if (parts.size() == 2 && (!absl::SimpleAtoi(parts[1], &prefix) || prefix < 0 || prefix > max)) return std::nullopt;
  network.prefix = base->v4 ? 96 + prefix : prefix;
  return network;
}

std::string ForbiddenRange(const IpAddress& address) {
  IpAddress a = address;
  // The IPv6 unspecified and loopback addresses first: they also look like IPv4-compatible addresses.
  static const IpNetwork kUnspecified = *ParseIpNetwork("::/128");
  static const IpNetwork kLoopback6 = *ParseIpNetwork("::1/128");
  if (!a.v4 && kUnspecified.Contains(a)) return "unspecified";
  if (!a.v4 && kLoopback6.Contains(a)) return "loopback";
  // IPv4 carried inside IPv6 is judged as IPv4: mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, IPv4-compatible ::/96,
  // 6to4 2002::/16.
  static const IpNetwork kMapped = *ParseIpNetwork("::ffff:0:0/96");
  static const IpNetwork kNat64 = *ParseIpNetwork("64:ff9b::/96");
  static const IpNetwork kCompat = *ParseIpNetwork("::/96");
  static const IpNetwork k6to4 = *ParseIpNetwork("2002::/16");
  if (!a.v4 && (kMapped.Contains(a) || kNat64.Contains(a) ||
                (kCompat.Contains(a) && a.bytes[12] | a.bytes[13] | a.bytes[14] | a.bytes[15]))) {
    IpAddress inner;
    inner.v4 = true;
    inner.bytes[10] = inner.bytes[11] = 0xff;
    std::copy(a.bytes.begin() + 12, a.bytes.end(), inner.bytes.begin() + 12);
    std::string range = ForbiddenRange(inner);
    if (kCompat.Contains(a) && !kMapped.Contains(a) && range.empty()) return "IPv4-compatible";
    return range;
  }
  if (!a.v4 && k6to4.Contains(a)) {
    IpAddress inner;
    inner.v4 = true;
    inner.bytes[10] = inner.bytes[11] = 0xff;
    std::copy(a.bytes.begin() + 2, a.bytes.begin() + 6, inner.bytes.begin() + 12);
    return ForbiddenRange(inner);
  }
  for (const auto& [network, name] : ForbiddenNetworks()) {
    if (network.base.v4 == a.v4 && network.Contains(a)) return name;
  }
  return "";
}

absl::Status CheckWebhookAddress(const WebhookUrlPolicy& policy, const IpAddress& address) {
  std::string range = ForbiddenRange(address);
  if (range.empty()) return absl::OkStatus();
  for (const IpNetwork& allowed : policy.allowed_networks) {
    if (allowed.Contains(address)) return absl::OkStatus();
  }
  return NotAllowed(absl::StrCat(address.ToString(), " is ", range));
}

absl::Status CheckWebhookScheme(const WebhookUrlPolicy& policy, const WebhookUrl& url) {
  if (url.scheme == "https") return absl::OkStatus();
  if (url.scheme == "http" && policy.allow_http) return absl::OkStatus();
  return NotAllowed("the scheme must be https");
}

absl::Status CheckWebhookUrl(const WebhookUrlPolicy& policy, const HostResolver& resolve, const WebhookUrl& url) {
  RETURN_IF_ERROR(CheckWebhookScheme(policy, url));
  std::vector<IpAddress> addresses;
  if (std::optional<IpAddress> literal = ParseIpAddress(url.host)) {
    addresses.push_back(*literal);
  } else {
    absl::StatusOr<std::vector<IpAddress>> resolved = resolve(url.host);
    if (!resolved.ok() || resolved->empty()) {
      return InvalidArgument("url", "WEBHOOK_URL_UNRESOLVABLE",
                             absl::StrCat("url host ", url.host, " does not resolve"));
    }
    addresses = *std::move(resolved);
  }
  for (const IpAddress& address : addresses) {
    absl::Status status = CheckWebhookAddress(policy, address);
    if (!status.ok()) {
      return InvalidArgument("url", "WEBHOOK_URL_NOT_ALLOWED",
                             absl::StrCat("url not allowed: ", url.host, " resolves to ", status.message().substr(17)));
    }
  }
  return absl::OkStatus();
}

absl::Status NormalizeEventTypes(std::vector<std::string>& types) {
  if (types.empty()) return InvalidArgument("eventTypes", "REQUIRED", "eventTypes needs at least one event type");
  for (std::string& type : types) {
    type = std::string(absl::StripAsciiWhitespace(type));
    if (!IsIdentifier(type)) {
      return InvalidArgument("eventTypes", "WEBHOOK_EVENT_TYPE_INVALID",
                             absl::StrCat("\"", type, "\" is not an event type name (e.g. OrderPaid)"));
    }
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  if (types.size() > 50) return InvalidArgument("eventTypes", "WEBHOOK_EVENT_TYPE_INVALID", "at most 50 event types");
  return absl::OkStatus();
}

absl::string_view ShortEventType(absl::string_view type) {
  size_t dot = type.rfind('.');
  return dot == absl::string_view::npos ? type : type.substr(dot + 1);
}

bool EventTypeMatches(const std::vector<std::string>& subscribed, absl::string_view type) {
  absl::string_view short_type = ShortEventType(type);
  for (const std::string& s : subscribed) {
    if (s == type || s == short_type) return true;
  }
  return false;
}

absl::Duration RetryPolicy::Delay(int attempts, double unit) const {
  double factor = std::pow(2.0, std::max(0, std::min(attempts - 1, 40)));
  absl::Duration delay = std::min(base * factor, max_delay);
  double j = std::clamp(jitter, 0.0, 1.0);
  return delay * (1.0 - j * std::clamp(unit, 0.0, 1.0));
}

std::optional<absl::Time> RetryPolicy::NextAttempt(absl::Time now, absl::Time budget_start, int attempts,
                                                   double unit) const {
  absl::Time next = now + Delay(attempts, unit);
  if (next > budget_start + budget) return std::nullopt;
  return next;
}

absl::Status WebhookAdmin::CheckUrl(const std::string& url) {
  ASSIGN_OR_RETURN(WebhookUrl parsed, ParseWebhookUrl(url));
  return CheckWebhookUrl(policy_, resolve_, parsed);
}

absl::StatusOr<WebhookSubscription> WebhookAdmin::Create(WebhookSubscription subscription,
                                                         const std::string& request_id) {
  RETURN_IF_ERROR(CheckUrl(subscription.url));
  RETURN_IF_ERROR(NormalizeEventTypes(subscription.event_types));
  if (subscription.secret.empty()) {
    subscription.secret = new_secret_();
  } else if (subscription.secret.size() < 16 || subscription.secret.size() > 256) {
    return InvalidArgument("secret", "WEBHOOK_SECRET_INVALID", "secret must have 16 to 256 characters");
  }
  if (subscription.description.size() > 500) {
    return InvalidArgument("description", "FIELD_TOO_LONG", "description has more than 500 characters");
  }
  subscription.id = new_id_();
  return store_.CreateSubscription(subscription, request_id);
}

absl::StatusOr<WebhookSubscription> WebhookAdmin::Change(const std::string& id, const Update& update) {
  ASSIGN_OR_RETURN(WebhookSubscription subscription, store_.GetSubscription(id));
  if (update.url) {
    RETURN_IF_ERROR(CheckUrl(*update.url));
    subscription.url = *update.url;
  }
  if (!update.event_types.empty()) {
    std::vector<std::string> types = update.event_types;
    RETURN_IF_ERROR(NormalizeEventTypes(types));
    subscription.event_types = std::move(types);
  }
  if (update.active) subscription.active = *update.active;
  if (update.description) {
    if (update.description->size() > 500) {
      return InvalidArgument("description", "FIELD_TOO_LONG", "description has more than 500 characters");
    }
    subscription.description = *update.description;
  }
  return store_.UpdateSubscription(subscription);
}

absl::StatusOr<DeliveryPage> WebhookAdmin::Deliveries(const std::string& id, std::optional<DeliveryStatus> status,
                                                      const std::string& page_token, int page_size) {
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "pageSize is 0 or more");
  if (page_size == 0) page_size = 50;
  page_size = std::min(page_size, 200);
  int64_t before = 0;
  if (!page_token.empty() && (!absl::SimpleAtoi(page_token, &before) || before <= 0)) {
    return InvalidArgument("pageToken", "PAGE_TOKEN_INVALID", "pageToken is not one this list gave");
  }
  ASSIGN_OR_RETURN(WebhookSubscription subscription, store_.GetSubscription(id));  // NOT_FOUND first
  return store_.ListDeliveries(subscription.id, status, before, page_size);
}

absl::StatusOr<int64_t> WebhookAdmin::Replay(const std::string& id, const std::string& delivery_id,
                                             std::optional<absl::Time> start, std::optional<absl::Time> end) {
  ASSIGN_OR_RETURN(WebhookSubscription subscription, store_.GetSubscription(id));
  if (!delivery_id.empty()) {
    int64_t delivery = 0;
    if (!absl::SimpleAtoi(delivery_id, &delivery) || delivery <= 0) {
      return NotFound("WEBHOOK_DELIVERY_NOT_FOUND", "no such delivery of this webhook");
    }
    return store_.ReplayDelivery(subscription.id, delivery);
  }
  if (!start) return InvalidArgument("startTime", "REQUIRED", "deliveryId or startTime and endTime are required");
  if (!end) return InvalidArgument("endTime", "REQUIRED", "endTime is required with startTime");
  if (*end <= *start) return InvalidArgument("endTime", "INVALID_TIME_RANGE", "endTime must be after startTime");
  return store_.ReplayRange(subscription.id, *start, *end);
}

}  // namespace zhongtai::datahub
