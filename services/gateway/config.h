// zt-gateway configuration from ZT_GATEWAY_* variables and the shared security settings (common/server/security.h).
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/security.h"
#include "services/gateway/body_limits.h"
#include "services/gateway/partner_signature.h"
#include "services/gateway/rate_limiter.h"

namespace zhongtai::gateway {

struct GatewayConfig {
  std::string http_address = "127.0.0.1";
  int http_port = 8080;
  int metrics_port = 9106;
  int io_threads = 2;
  // upstream name -> gRPC target ("host:port" or "dns:///name:port").
  std::map<std::string, std::string> upstreams;
  // TLS to the services, the token public key, the metrics bind address.
  server::Security security;
  absl::Duration upstream_timeout = absl::Seconds(5);
  absl::Duration drain_timeout = absl::Seconds(10);
  size_t body_limit = 64 << 10;
  RouteBodyLimits route_body_limits;  // checked against the route table at start
  size_t max_connections = 4096;
  // Per socket peer address; 0: no cap. Defaults to 256, or to 0 behind trusted proxies (every client is the proxy).
  size_t max_connections_per_client = 256;
  absl::Duration write_timeout = absl::Seconds(30);  // a response not taken by the client within this: closed
  absl::Duration first_byte_timeout = absl::Seconds(10);
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(30);
  absl::Duration idle_timeout = absl::Seconds(60);
  std::string log_level = "info";
  // Rate limits (GCRA in Redis; fail open when Redis fails, see rate_limiter.h).
  std::string redis_addr = "127.0.0.1:6379";
  absl::Duration redis_timeout = absl::Milliseconds(50);
  // How long the gateway keeps a listing or search answer (catalogue_reply_cache.h); zero turns it off.
  absl::Duration catalogue_cache_ttl = absl::Seconds(2);
  RateLimitOptions rate_limits;
  int trusted_proxy_hops = 0;
  // ZT_GATEWAY_PARTNER_SECRETS: "name=secret,..." for the ACCESS_PARTNER routes (e.g. payment-simulator=...).
  PartnerSecrets partner_secrets;
  absl::Duration signature_max_age = absl::Minutes(5);
};

// INVALID_ARGUMENT naming every bad variable, including the shared security settings (ZT_AUTH_PUBLIC_KEY, ZT_TLS_DIR).
absl::StatusOr<GatewayConfig> LoadConfig();

}  // namespace zhongtai::gateway
