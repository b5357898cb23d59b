#include "services/gateway/rate_limiter.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "services/gateway/errors.h"

namespace zhongtai::gateway {
namespace {

// GCRA (generic cell rate algorithm) over N buckets, all or nothing. Times are in microseconds.
// Each bucket key holds its theoretical arrival time (TAT): when the bucket would be empty again.
// A request at `now` fits a bucket with emission interval T (the time one request "costs") and burst B when
//   max(TAT, now) + T - B*T <= now
// and then the new TAT is max(TAT, now) + T. A fresh bucket therefore takes B requests at once, then one
// every T. A refused request changes nothing; its wait is the time until the inequality holds.
// KEYS[i]   bucket i
// ARGV[1]   now in microseconds, or "" to use the Redis server clock (TIME; allowed in scripts since
//           Redis 5 replicates script effects, not the script)
// ARGV[2i]  bucket i's T in microseconds; ARGV[2i+1] its B
// Returns {refused bucket index (1-based; 0 = allowed), wait in microseconds, remaining requests}.
constexpr char kGcraScript[] = R"lua(
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local refused, wait, remaining = 0, 0, -1
local tats = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - interval * burst
  if now < allow_at then
    if allow_at - now > wait then
      refused = i
      wait = allow_at - now
    end
  else
    local left = math.floor((now - allow_at) / interval)
    if remaining < 0 or left < remaining then remaining = left end
  end
  tats[i] = new_tat
end
if refused > 0 then return {refused, wait, 0} end
for i = 1, #KEYS do
  -- The key lives until the bucket is full again; an expired key reads as a full bucket.
  redis.call('SET', KEYS[i], string.format('%d', tats[i]), 'PX', string.format('%d', math.ceil((tats[i] - now) / 1000) + 1))
end
return {0, 0, remaining}
)lua";

const redis::Script& GcraScript() {
  static const redis::Script* script = new redis::Script(kGcraScript);
  return *script;
}

// The routes that check a password or mint a session: login, registration, refresh.
bool IsAuthPath(absl::string_view method, absl::string_view path_template) {
  return method == "POST" &&
         (path_template == "/v1/sessions" || path_template == "/v1/users" || path_template == "/v1/sessions:refresh");
}

}  // namespace

absl::StatusOr<GcraResult> RunGcra(redis::Pool& pool, const std::vector<GcraBucket>& buckets,
                                   std::optional<absl::Time> now) {
  std::vector<std::string> keys;
  std::vector<std::string> args;
  args.push_back(now ? absl::StrCat(absl::ToUnixMicros(*now)) : "");
  for (const GcraBucket& bucket : buckets) {
    if (!bucket.limit.enabled()) continue;
    keys.push_back(bucket.key);
    // One minute in microseconds over the rate; at least 1 us.
    args.push_back(absl::StrCat(std::max<int64_t>(1, 60'000'000 / bucket.limit.per_minute)));
    args.push_back(absl::StrCat(bucket.limit.burst));
  }
  GcraResult result;
  if (keys.empty()) return result;
  absl::StatusOr<redis::Reply> reply = GcraScript().Run(pool, keys, args);
  if (!reply.ok()) return reply.status();
  if (reply->size() != 3) return Internal("RATE_LIMIT_SCRIPT", "unexpected reply from the rate limit script");
  int64_t refused = reply->element(0).integer();
  if (refused > 0) {
    // Map the index among enabled buckets back to the caller's index.
    int seen = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
      if (!buckets[i].limit.enabled()) continue;
      if (++seen == refused) result.refused = static_cast<int>(i);
    }
    result.retry_after = absl::Microseconds(reply->element(1).integer());
  } else {
    result.remaining = reply->element(2).integer();
  }
  return result;
}

std::string ClientIp(absl::string_view peer, absl::string_view forwarded_for, int trusted_hops) {
  if (trusted_hops <= 0 || forwarded_for.empty()) return std::string(peer);
  std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',');
  // The last trusted proxy (the one that connected to us) appended the entry at hops.size() - 1; the
  // outermost of `trusted_hops` proxies appended the one at hops.size() - trusted_hops.
  if (hops.size() < static_cast<size_t>(trusted_hops)) return std::string(peer);
  absl::string_view ip = absl::StripAsciiWhitespace(hops[hops.size() - trusted_hops]);
  if (ip.empty() || ip.size() > 64) return std::string(peer);
  return std::string(ip);
}

struct RateLimiter::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : limited(prometheus::BuildCounter()
                    .Name("zt_gateway_rate_limited_total")
                    .Help("Requests refused with 429 by a gateway rate limit, by bucket class (ip, user, auth).")
                    .Register(registry)),
        fail_open(prometheus::BuildCounter()
                      .Name("zt_gateway_rate_limit_fail_open_total")
                      .Help("Requests let through unchecked because the rate limit store failed "
                            "(reason redis_error) or had failed moments before (reason breaker_open).")
                      .Register(registry)) {
    for (Class c : {Class::kIp, Class::kUser, Class::kAuth}) limited.Add({{"class", ClassName(c)}});
    for (const char* reason : {"redis_error", "breaker_open"}) fail_open.Add({{"reason", reason}});
  }
  prometheus::Family<prometheus::Counter>& limited;
  prometheus::Family<prometheus::Counter>& fail_open;
};

const char* RateLimiter::ClassName(Class c) {
  switch (c) {
    case Class::kIp: return "ip";
    case Class::kUser: return "user";
    case Class::kAuth: return "auth";
  }
  return "ip";
}

bool RateLimiter::IsAuthRoute(const Route& route) { return IsAuthPath(route.http_method, route.path_template); }

RateLimiter::RateLimiter(RateLimitOptions options, redis::Options redis, prometheus::Registry& registry)
    : options_(std::move(options)), redis_options_(std::move(redis)), metrics_(std::make_unique<Metrics>(registry)) {
  PoolOrNull();
}

RateLimiter::~RateLimiter() = default;

redis::Pool* RateLimiter::PoolOrNull() {
  if (redis::Pool* pool = live_pool_.load()) return pool;
  // One thread tries to open; the others fail open meanwhile instead of waiting.
  std::unique_lock<std::mutex> lock(open_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return nullptr;
  if (redis::Pool* pool = live_pool_.load()) return pool;
  absl::StatusOr<std::unique_ptr<redis::Pool>> opened = redis::Pool::Open(redis_options_);
  if (!opened.ok()) {
    FailOpen("redis_error", opened.status());
    return nullptr;
  }
  pool_ = std::move(*opened);
  live_pool_.store(pool_.get());
  return pool_.get();
}

void RateLimiter::FailOpen(const char* reason, const absl::Status& status) {
  metrics_->fail_open.Add({{"reason", reason}}).Increment();
  if (status.ok()) return;
  int64_t now = absl::ToUnixNanos(absl::Now());
  int64_t until = breaker_until_ns_.load();
  // Only the first failure of a period logs and opens the breaker.
  if (now >= until &&
      breaker_until_ns_.compare_exchange_strong(until, now + absl::ToInt64Nanoseconds(options_.breaker))) {
    log::Warn("rate limits fail open: redis failed",
              {{"error", std::string(status.message())},
               {"skip_ms", absl::StrCat(absl::ToInt64Milliseconds(options_.breaker))}});
  }
}

std::optional<HttpResponse> RateLimiter::AdmitClient(const Route& route, const std::string& client_ip) {
  std::vector<GcraBucket> buckets;
  std::vector<Class> classes;
  Add(Class::kIp, options_.ip, client_ip, buckets, classes);
  if (IsAuthRoute(route)) Add(Class::kAuth, options_.auth, client_ip, buckets, classes);
  return Check(buckets, classes);
}

std::optional<HttpResponse> RateLimiter::AdmitUser(const Caller& caller) {
  std::vector<GcraBucket> buckets;
  std::vector<Class> classes;
  if (caller.authenticated) Add(Class::kUser, options_.user, caller.user_id, buckets, classes);
  return Check(buckets, classes);
}

void RateLimiter::Add(Class c, const RateLimit& limit, const std::string& id, std::vector<GcraBucket>& buckets,
                      std::vector<Class>& classes) const {
  if (!limit.enabled() || id.empty()) return;
  buckets.push_back({absl::StrCat(options_.key_prefix, ClassName(c), ":", id), limit});
  classes.push_back(c);
}

std::optional<HttpResponse> RateLimiter::Check(const std::vector<GcraBucket>& buckets,
                                               const std::vector<Class>& classes) {
  if (buckets.empty()) return std::nullopt;

  if (absl::ToUnixNanos(absl::Now()) < breaker_until_ns_.load()) {
    FailOpen("breaker_open", absl::OkStatus());
    return std::nullopt;
  }
  redis::Pool* pool = PoolOrNull();
  if (pool == nullptr) {
    FailOpen("breaker_open", absl::OkStatus());
    return std::nullopt;
  }
  absl::StatusOr<GcraResult> result = RunGcra(*pool, buckets);
  if (!result.ok()) {
    FailOpen("redis_error", result.status());
    return std::nullopt;
  }
  if (result->refused < 0) return std::nullopt;

  Class limited_by = classes[result->refused];
  metrics_->limited.Add({{"class", ClassName(limited_by)}}).Increment();
  int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(result->retry_after, absl::Seconds(1))));
  HttpResponse response = ErrorResponse(
      Error(absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
            absl::StrCat("too many requests (", ClassName(limited_by), " limit); retry after ", seconds, " s")));
  bool replaced = false;
  for (auto& [name, value] : response.headers) {
    if (name == "Retry-After") {
      value = absl::StrCat(seconds);
      replaced = true;
    }
  }
  if (!replaced) response.headers.emplace_back("Retry-After", absl::StrCat(seconds));
  return response;
}

}  // namespace zhongtai::gateway
