// zt-gateway configuration from ZT_GATEWAY_* variables and the shared ZT_AUTH_TOKEN_SECRET.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/body_limits.h"
#include "services/gateway/rate_limiter.h"

namespace zhongtai::gateway {

struct GatewayConfig {
  std::string http_address = "0.0.0.0";
  int http_port = 8080;
  int metrics_port = 9106;
  int io_threads = 2;
  // upstream name -> gRPC target ("host:port" or "dns:///name:port").
  std::map<std::string, std::string> upstreams;
  std::string token_secret;
  absl::Duration upstream_timeout = absl::Seconds(5);
  absl::Duration drain_timeout = absl::Seconds(10);
  size_t body_limit = 64 << 10;
  RouteBodyLimits route_body_limits;  // checked against the route table at start
  size_t max_connections = 4096;
  absl::Duration first_byte_timeout = absl::Seconds(10);
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(30);
  absl::Duration idle_timeout = absl::Seconds(60);
  std::string log_level = "info";
  // Rate limits (GCRA in Redis; fail open when Redis fails, see rate_limiter.h).
  std::string redis_addr = "127.0.0.1:6379";
  absl::Duration redis_timeout = absl::Milliseconds(50);
  RateLimitOptions rate_limits;
  int trusted_proxy_hops = 0;
};

// INVALID_ARGUMENT naming every bad variable; the token secret is required (at least 32 bytes).
absl::StatusOr<GatewayConfig> LoadConfig();

}  // namespace zhongtai::gateway
