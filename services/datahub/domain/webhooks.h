// Integrations out (开放平台): webhook subscriptions, their URL rules (the SSRF guard's address ranges), the retry
// schedule, and the ports the admin API and the dispatcher (webhook_dispatcher.h) work through. docs/webhooks.md.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zhongtai::datahub {

// ---- URLs and the SSRF guard ----

struct WebhookUrl {
  std::string scheme;  // "https" or "http"
  std::string host;    // a name, or an address (IPv6 without brackets)
  int port = 0;        // the scheme's default when not given
  std::string target;  // path and query, "/" at least
};

// Parses an absolute http(s) URL without user info or fragment. INVALID_ARGUMENT (field "url", reason
// WEBHOOK_URL_INVALID) for anything else.
absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view url);

// An IPv4 or IPv6 address as 16 bytes (IPv4 as ::ffff:a.b.c.d).
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
  std::string ToString() const;
};
std::optional<IpAddress> ParseIpAddress(absl::string_view text);

struct IpNetwork {
  IpAddress base;
  int prefix = 0;  // over the 128 bits (an IPv4 /8 is 96 + 8)
  bool Contains(const IpAddress& address) const;
};
// "10.0.0.0/8", "::1/128", "127.0.0.1" (a single address); nullopt when malformed.
std::optional<IpNetwork> ParseIpNetwork(absl::string_view text);

// Where a webhook may not go unless an allow-list says so: "this network" 0.0.0.0/8, loopback, private (RFC 1918),
// carrier-grade NAT 100.64.0.0/10 (Alibaba Cloud's metadata 100.100.100.200 lies there), link-local 169.254.0.0/16
// (the metadata address 169.254.169.254), the IETF, benchmark, documentation and reserved ranges, multicast and
// broadcast; IPv6 unspecified, loopback, unique local fc00::/7 (AWS's fd00:ec2::254), link-local, site-local,
// multicast, documentation, and IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 address they carry.
// Returns the name of the range, or "" when the address is public.
std::string ForbiddenRange(const IpAddress& address);

struct WebhookUrlPolicy {
  bool allow_http = false;                  // plain http (local testing only)
  std::vector<IpNetwork> allowed_networks;  // addresses allowed even inside a forbidden range
};

// OK when `address` may be a webhook's peer under `policy`; INVALID_ARGUMENT (field "url", reason
// WEBHOOK_URL_NOT_ALLOWED) naming the address and its range otherwise.
absl::Status CheckWebhookAddress(const WebhookUrlPolicy& policy, const IpAddress& address);
// The scheme rule: https, or http when the policy allows it. Same error.
absl::Status CheckWebhookScheme(const WebhookUrlPolicy& policy, const WebhookUrl& url);

// Resolves a host to its addresses (the real one uses getaddrinfo; tests give their own).
using HostResolver = std::function<absl::StatusOr<std::vector<IpAddress>>(const std::string& host)>;

// The whole subscription-time check: scheme, then every address the host resolves to (a literal address is its
// own). A host that does not resolve is INVALID_ARGUMENT reason WEBHOOK_URL_UNRESOLVABLE.
absl::Status CheckWebhookUrl(const WebhookUrlPolicy& policy, const HostResolver& resolve, const WebhookUrl& url);

// ---- Subscriptions ----

struct WebhookSubscription {
  std::string id;
  std::string url;
  std::vector<std::string> event_types;
  std::string secret;
  bool active = true;
  std::string description;
  std::string created_by;
  absl::Time created_at;
  absl::Time updated_at;
};

// Each name a proto-style identifier ("OrderPaid", "zhongtai.order.v1.OrderPaid"); 1 to 50 of them, sorted and
// deduplicated in place. INVALID_ARGUMENT field "eventTypes".
absl::Status NormalizeEventTypes(std::vector<std::string>& types);
// Whether a subscription to `subscribed` takes an event of `type` (a full name): equal, or equal to its last part.
bool EventTypeMatches(const std::vector<std::string>& subscribed, absl::string_view type);
// "zhongtai.order.v1.OrderPaid" -> "OrderPaid".
absl::string_view ShortEventType(absl::string_view type);

// ---- Deliveries ----

enum class DeliveryStatus { kPending = 1, kDelivered = 2, kDead = 3 };

struct WebhookDelivery {
  int64_t id = 0;
  std::string subscription_id;
  std::string event_id;
  std::string event_type;
  absl::Time event_time;
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  int last_status_code = 0;
  std::string last_error;
  absl::Time created_at;
  std::optional<absl::Time> last_attempt_at;
  std::optional<absl::Time> next_attempt_at;  // pending only
  std::optional<absl::Time> delivered_at;
};

// A delivery the dispatcher holds a lease on, with what sending it needs.
struct ClaimedDelivery {
  int64_t id = 0;
  std::string subscription_id;
  std::string url;
  std::string secret;
  std::string event_id;
  std::string event_type;
  std::string body;
  int attempts = 0;  // before this one
  absl::Time budget_start;
};

struct DeliveryAttempt {
  bool delivered = false;  // 2xx
  int status_code = 0;     // 0: no HTTP answer
  std::string error;       // short, for the log ("HTTP 500", "timeout", "address not allowed: ...")
  bool address_refused = false;
};

// Exponential backoff with jitter: attempt n (1-based) failed, the next waits base * 2^(n-1) capped at max_delay,
// times a random factor in [1 - jitter, 1]. Dead when the next attempt would start later than budget after the
// budget's start.
struct RetryPolicy {
  absl::Duration base = absl::Seconds(10);
  absl::Duration max_delay = absl::Hours(1);
  double jitter = 0.5;
  absl::Duration budget = absl::Hours(24);

  // The delay after the `attempts`-th failure, for a random `unit` in [0, 1).
  absl::Duration Delay(int attempts, double unit) const;
  // When to try again, or nullopt: dead letter.
  std::optional<absl::Time> NextAttempt(absl::Time now, absl::Time budget_start, int attempts, double unit) const;
};

struct WebhookStats {
  int64_t pending = 0;
  int64_t due = 0;                // pending and due now (the backlog)
  double oldest_due_seconds = 0;  // how long the oldest due delivery has waited
  int64_t dead = 0;
};

struct DeliveryPage {
  std::vector<WebhookDelivery> deliveries;
  int64_t next_before_id = 0;  // 0: the end
};

// The subscriptions, deliveries and their leases (PgWebhookStore).
class WebhookStore {
 public:
  virtual ~WebhookStore() = default;
  // ALREADY_EXISTS reason IDEMPOTENCY_KEY_REUSED when request_id was used for a different URL; the existing one
  // when it was used for the same.
  virtual absl::StatusOr<WebhookSubscription> CreateSubscription(const WebhookSubscription& subscription,
                                                                 const std::string& request_id) = 0;
  virtual absl::StatusOr<WebhookSubscription> GetSubscription(const std::string& id) = 0;  // NOT_FOUND
  virtual absl::StatusOr<std::vector<WebhookSubscription>> ListSubscriptions() = 0;
  virtual absl::StatusOr<WebhookSubscription> UpdateSubscription(const WebhookSubscription& subscription) = 0;
  virtual absl::Status DeleteSubscription(const std::string& id) = 0;  // NOT_FOUND

  virtual absl::StatusOr<DeliveryPage> ListDeliveries(const std::string& subscription_id,
                                                      std::optional<DeliveryStatus> status, int64_t before_id,
                                                      int limit) = 0;
  // Queues again; returns how many. NOT_FOUND for an unknown delivery of the subscription.
  virtual absl::StatusOr<int64_t> ReplayDelivery(const std::string& subscription_id, int64_t delivery_id) = 0;
  virtual absl::StatusOr<int64_t> ReplayRange(const std::string& subscription_id, absl::Time start, absl::Time end) = 0;

  // Due deliveries of active subscriptions, at most per_subscription of each and `limit` in all, skipping
  // `exclude`d subscriptions; each leased for `lease` so no other dispatcher takes it meanwhile.
  virtual absl::StatusOr<std::vector<ClaimedDelivery>> Claim(int per_subscription, int limit,
                                                             const std::vector<std::string>& exclude,
                                                             absl::Duration lease) = 0;
  // The attempt's outcome; next_attempt nullopt with !attempt.delivered: dead letter.
  virtual absl::Status Complete(int64_t delivery_id, int attempts, const DeliveryAttempt& attempt,
                                std::optional<absl::Time> next_attempt) = 0;
  virtual absl::StatusOr<WebhookStats> Stats() = 0;
  // Deletes delivered deliveries older than `retention` and stored events older than that with no delivery left
  // (at most 10000 of each per call); returns how many rows went. Pending and dead deliveries stay.
  virtual absl::StatusOr<int64_t> Prune(absl::Duration retention) = 0;
};

// Sends one delivery: POST, signed, with the per-attempt timeouts; checks the address it connects to.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  virtual DeliveryAttempt Send(const ClaimedDelivery& delivery) = 0;
};

// The admin side: validation, the URL check, the secret.
class WebhookAdmin {
 public:
  WebhookAdmin(WebhookStore& store, WebhookUrlPolicy policy, HostResolver resolve,
               std::function<std::string()> new_secret, std::function<std::string()> new_id)
      : store_(store),
        policy_(std::move(policy)),
        resolve_(std::move(resolve)),
        new_secret_(std::move(new_secret)),
        new_id_(std::move(new_id)) {}

  absl::StatusOr<WebhookSubscription> Create(WebhookSubscription subscription, const std::string& request_id);
  absl::StatusOr<WebhookSubscription> Get(const std::string& id) { return store_.GetSubscription(id); }
  absl::StatusOr<std::vector<WebhookSubscription>> List() { return store_.ListSubscriptions(); }

  struct Update {
    std::optional<std::string> url;
    std::vector<std::string> event_types;  // empty: unchanged
    std::optional<bool> active;
    std::optional<std::string> description;
  };
  absl::StatusOr<WebhookSubscription> Change(const std::string& id, const Update& update);
  absl::Status Delete(const std::string& id) { return store_.DeleteSubscription(id); }

  absl::StatusOr<DeliveryPage> Deliveries(const std::string& id, std::optional<DeliveryStatus> status,
                                          const std::string& page_token, int page_size);
  absl::StatusOr<int64_t> Replay(const std::string& id, const std::string& delivery_id, std::optional<absl::Time> start,
                                 std::optional<absl::Time> end);

 private:
  absl::Status CheckUrl(const std::string& url);

  WebhookStore& store_;
  WebhookUrlPolicy policy_;
  HostResolver resolve_;
  std::function<std::string()> new_secret_;
  std::function<std::string()> new_id_;
};

}  // namespace zhongtai::datahub
