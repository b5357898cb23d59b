#include "services/gateway/config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/config/env.h"

namespace zhongtai::gateway {

absl::StatusOr<GatewayConfig> LoadConfig() {
  config::Env env("ZT_GATEWAY_");
  GatewayConfig config;
  config.http_address = env.String("HTTP_ADDRESS", config.http_address);
  config.http_port = env.Port("HTTP_PORT", config.http_port);
  config.metrics_port = env.Port("METRICS_PORT", config.metrics_port);
  config.io_threads = static_cast<int>(env.Int("IO_THREADS", config.io_threads, 1, 64));
  const std::pair<const char*, const char*> upstreams[] = {{"product", "127.0.0.1:50051"},
                                                           {"order", "127.0.0.1:50052"},
                                                           {"marketing", "127.0.0.1:50053"},
                                                           {"user", "127.0.0.1:50054"},
                                                           {"datahub", "127.0.0.1:50055"}};
  for (const auto& [name, fallback] : upstreams) {
    config.upstreams[name] = env.String(absl::StrCat(absl::AsciiStrToUpper(name), "_ADDR"), fallback);
  }
  config.upstream_timeout =
      env.Duration("UPSTREAM_TIMEOUT", config.upstream_timeout, absl::Milliseconds(10), absl::Minutes(2));
  config.drain_timeout = env.Duration("DRAIN_TIMEOUT", config.drain_timeout, absl::ZeroDuration(), absl::Minutes(5));
  config.body_limit = static_cast<size_t>(env.Int("BODY_LIMIT_BYTES", 65536, 1024, 64 << 20));
  // A full batch of 500 behaviour events is about 150 KB of JSON.
  std::string route_limits = env.String("ROUTE_BODY_LIMITS", "POST /v1/events=1048576");
  config.max_connections = static_cast<size_t>(env.Int("MAX_CONNECTIONS", 4096, 1, 1000000));
  config.first_byte_timeout =
      env.Duration("FIRST_BYTE_TIMEOUT", config.first_byte_timeout, absl::Milliseconds(100), absl::Minutes(10));
  config.header_timeout =
      env.Duration("HEADER_TIMEOUT", config.header_timeout, absl::Milliseconds(100), absl::Minutes(10));
  config.body_timeout = env.Duration("BODY_TIMEOUT", config.body_timeout, absl::Milliseconds(100), absl::Minutes(10));
  config.idle_timeout = env.Duration("IDLE_TIMEOUT", config.idle_timeout, absl::Milliseconds(100), absl::Hours(1));
  config.log_level = env.String("LOG_LEVEL", config.log_level);
  config.redis_addr = env.HostPort("REDIS_ADDR", config.redis_addr);
  config.redis_timeout = env.Duration("REDIS_TIMEOUT", config.redis_timeout, absl::Milliseconds(1), absl::Seconds(5));
  config.catalogue_cache_ttl =
      env.Duration("CATALOGUE_CACHE_TTL", config.catalogue_cache_ttl, absl::ZeroDuration(), absl::Minutes(1));
  // Requests per minute and burst per class; 0 turns a class off.
  RateLimitOptions& rates = config.rate_limits;
  rates.ip.per_minute = env.Int("RATE_IP_PER_MINUTE", 1200, 0, 100000000);
  rates.ip.burst = env.Int("RATE_IP_BURST", 100, 0, 1000000);
  rates.user.per_minute = env.Int("RATE_USER_PER_MINUTE", 600, 0, 100000000);
  rates.user.burst = env.Int("RATE_USER_BURST", 60, 0, 1000000);
  rates.auth.per_minute = env.Int("RATE_AUTH_PER_MINUTE", 10, 0, 100000000);
  rates.auth.burst = env.Int("RATE_AUTH_BURST", 5, 0, 1000000);
  rates.breaker = env.Duration("RATE_LIMIT_BREAKER", rates.breaker, absl::Milliseconds(10), absl::Minutes(5));
  config.trusted_proxy_hops = static_cast<int>(env.Int("TRUSTED_PROXY_HOPS", 0, 0, 10));
  // Behind proxies every connection comes from a proxy's address: a per-address cap would cap the proxy.
  config.max_connections_per_client =
      static_cast<size_t>(env.Int("MAX_CONNECTIONS_PER_CLIENT", config.trusted_proxy_hops > 0 ? 0 : 256, 0, 1000000));
  config.write_timeout =
      env.Duration("WRITE_TIMEOUT", config.write_timeout, absl::Milliseconds(100), absl::Minutes(10));
  std::string partner_secrets = env.String("PARTNER_SECRETS", "");
  config.signature_max_age =
      env.Duration("SIGNATURE_MAX_AGE", config.signature_max_age, absl::Seconds(1), absl::Hours(1));
  absl::Status status = env.Finish();
  std::string errors = status.ok() ? "" : std::string(status.message());
  absl::StatusOr<PartnerSecrets> parsed_secrets = ParsePartnerSecrets(partner_secrets);
  if (parsed_secrets.ok()) {
    config.partner_secrets = *std::move(parsed_secrets);
  } else {
    absl::StrAppend(&errors, errors.empty() ? "bad configuration: " : "; ",
                    "ZT_GATEWAY_PARTNER_SECRETS: ", parsed_secrets.status().message());
  }
  absl::StatusOr<RouteBodyLimits> parsed_limits = ParseRouteBodyLimits(route_limits, 1024, 64 << 20);
  if (parsed_limits.ok()) {
    config.route_body_limits = *std::move(parsed_limits);
  } else {
    absl::StrAppend(&errors, errors.empty() ? "bad configuration: " : "; ",
                    "ZT_GATEWAY_ROUTE_BODY_LIMITS: ", parsed_limits.status().message());
  }
  absl::StatusOr<server::Security> security = server::LoadSecurity("gateway");
  if (!security.ok()) {
    absl::StrAppend(&errors, errors.empty() ? "bad configuration: " : "; ", security.status().message());
  } else {
    config.security = *std::move(security);
  }
  if (!errors.empty()) return absl::InvalidArgumentError(errors);
  return config;
}

}  // namespace zhongtai::gateway
