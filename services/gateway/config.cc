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
  config.upstream_timeout = absl::Milliseconds(env.Int("UPSTREAM_TIMEOUT_MS", 5000, 10, 120000));
  config.drain_timeout = absl::Milliseconds(env.Int("DRAIN_TIMEOUT_MS", 10000, 0, 600000));
  config.body_limit = static_cast<size_t>(env.Int("BODY_LIMIT_BYTES", 1 << 20, 1024, 64 << 20));
  config.header_timeout = absl::Milliseconds(env.Int("HEADER_TIMEOUT_MS", 10000, 100, 600000));
  config.body_timeout = absl::Milliseconds(env.Int("BODY_TIMEOUT_MS", 30000, 100, 600000));
  config.idle_timeout = absl::Milliseconds(env.Int("IDLE_TIMEOUT_MS", 60000, 100, 3600000));
  config.log_level = env.String("LOG_LEVEL", config.log_level);
  absl::Status status = env.Finish();
  std::string errors = status.ok() ? "" : std::string(status.message());
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
