#include "common/server/service_settings.h"

#include "absl/strings/str_cat.h"

namespace zhongtai::server {

ServiceSettings ReadServiceSettings(config::Env& env, const ServiceDefaults& defaults) {
  ServiceSettings settings;
  settings.grpc_port = env.Port("GRPC_PORT", defaults.grpc_port);
  settings.metrics_port = env.Port("METRICS_PORT", defaults.metrics_port);
  std::string local_database = absl::StrCat("postgresql://", defaults.service, "@127.0.0.1:5432/", defaults.service);
  settings.pg_dsn = env.String("PG_DSN", local_database);
  settings.pg_pool_size = static_cast<int>(env.Int("PG_POOL_SIZE", defaults.pg_pool_size, 1, 200));
  settings.worker_threads = static_cast<int>(env.Int("WORKER_THREADS", defaults.worker_threads, 1, 512));
  settings.drain_timeout =
      env.Duration("DRAIN_TIMEOUT", settings.drain_timeout, absl::ZeroDuration(), absl::Minutes(5));
  if (!defaults.redis_address.empty()) settings.redis_address = env.HostPort("REDIS_ADDR", defaults.redis_address);
  return settings;
}

}  // namespace zhongtai::server
