// zt-gateway configuration from ZT_GATEWAY_* variables and the shared security settings (common/server/security.h).
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/security.h"

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
  size_t body_limit = 1 << 20;
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(30);
  absl::Duration idle_timeout = absl::Seconds(60);
  std::string log_level = "info";
};

// INVALID_ARGUMENT naming every bad variable; the token secret is required (at least 32 bytes).
absl::StatusOr<GatewayConfig> LoadConfig();

}  // namespace zhongtai::gateway
