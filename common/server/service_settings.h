// The settings every service with a database reads under its own prefix (ZT_<SERVICE>_GRPC_PORT, ...), read by one
// function so that their names, bounds and defaults are the same in every service.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/config/env.h"

namespace zhongtai::server {

struct ServiceSettings {
  int grpc_port = 0;
  int metrics_port = 0;
  std::string pg_dsn;
  int pg_pool_size = 8;
  int worker_threads = 8;
  // SIGTERM: how long calls in flight get to finish.
  absl::Duration drain_timeout = absl::Seconds(10);
  // The Redis opened at start; empty for a service that uses none.
  std::string redis_address;
};

// What differs between services: the ports, the pool and worker sizes, whether there is a Redis. The DSN's default
// is the local stack's database and role named after the service.
struct ServiceDefaults {
  std::string service;  // e.g. "order"
  int grpc_port = 0;
  int metrics_port = 0;
  int pg_pool_size = 8;
  int worker_threads = 8;
  // The default of REDIS_ADDR for a service that uses Redis; empty: the service reads no REDIS_ADDR.
  std::string redis_address;
};

// GRPC_PORT, METRICS_PORT, PG_DSN, PG_POOL_SIZE (1 to 200), WORKER_THREADS (1 to 512), DRAIN_TIMEOUT (0 to 5m) and,
// when the defaults name one, REDIS_ADDR, under env's prefix. Bad values are recorded in env (Env::Finish()).
ServiceSettings ReadServiceSettings(config::Env& env, const ServiceDefaults& defaults);

}  // namespace zhongtai::server
