// The start every service with a database shares, so that its main.cc holds only its composition (stores, clients,
// domain, API, background tasks):
//   log::Init, LoadConfig (a bad configuration exits kExitBadConfiguration), the database migrated (common/events'
//   outbox and inbox tables first when the service uses them), `--migrate-only` exits 0 here, the runner from
//   ServiceOptions() and the settings' drain timeout, the pool's gauges, Redis opened when the settings name one, and
//   both pools closed at shutdown after every hook the service adds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/log/log.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/redis/redis.h"
#include "common/server/service_runner.h"
#include "common/server/service_settings.h"

namespace zhongtai::server {

struct ServiceSpec {
  std::string name;  // "order": logs, metric labels, the pools' names
  // The service's own migrations (the migrations.h that zt_embed_migrations generates).
  std::vector<pg::Migration> migrations;
  // The outbox and inbox tables of common/events, migrated before the service's own.
  bool events = false;
  // Connections of the Redis pool, for a service whose settings name a Redis.
  int redis_connections = redis::Options().size;
};

// A started service. The runner is built but not serving: the service adds its API and hooks, then Run()s it.
struct StartedService {
  std::unique_ptr<pg::Pool> db;
  std::unique_ptr<redis::Pool> redis;  // null when the settings name no Redis
  std::unique_ptr<ServiceRunner> runner;
};

// Everything after the configuration is loaded. Null with *exit_code set when main should return it instead: 0 after
// --migrate-only, kExitBadConfiguration, kExitCannotStart (the database or Redis cannot be reached).
std::unique_ptr<StartedService> StartService(const CommandLine& command_line, const ServiceSpec& spec,
                                             const ServiceSettings& settings, int* exit_code);

// main() of a service: `load_config` returns its config (a struct with a ServiceSettings `service` member), and
// `compose` builds the service on the started runner and pools and returns runner->Run().
template <typename Config>
int RunService(int argc, char** argv, const ServiceSpec& spec, absl::StatusOr<Config> (*load_config)(),
               int (*compose)(const Config& config, StartedService& service)) {
  return RunMain(argc, argv, [&](const CommandLine& command_line) {
    log::Init(spec.name);
    absl::StatusOr<Config> config = load_config();
    if (!config.ok()) return InvalidConfiguration(config.status());
    int exit_code = 0;
    std::unique_ptr<StartedService> service = StartService(command_line, spec, config->service, &exit_code);
    if (service == nullptr) return exit_code;
    return compose(*config, *service);
  });
}

}  // namespace zhongtai::server
