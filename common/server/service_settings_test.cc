#include "common/server/service_settings.h"

#include <catch2/catch.hpp>
#include <cstdlib>

namespace zhongtai::server {
namespace {

TEST_CASE("common service settings: the service's defaults, its DSN named after it, Redis only when it has one") {
  for (const char* name :
       {"GRPC_PORT", "METRICS_PORT", "PG_DSN", "PG_POOL_SIZE", "WORKER_THREADS", "DRAIN_TIMEOUT", "REDIS_ADDR"}) {
    unsetenv((std::string("ZT_SETTINGSTEST_") + name).c_str());
  }
  ServiceDefaults defaults;
  defaults.service = "settingstest";
  defaults.grpc_port = 50099;
  defaults.metrics_port = 9199;
  defaults.pg_pool_size = 16;
  setenv("ZT_SETTINGSTEST_REDIS_ADDR", "redis:6379", 1);

  config::Env env("ZT_SETTINGSTEST_");
  ServiceSettings settings = ReadServiceSettings(env, defaults);
  CHECK(env.Finish().ok());
  CHECK(settings.grpc_port == 50099);
  CHECK(settings.metrics_port == 9199);
  CHECK(settings.pg_dsn == "postgresql://settingstest@127.0.0.1:5432/settingstest");
  CHECK(settings.pg_pool_size == 16);
  CHECK(settings.worker_threads == 8);
  CHECK(settings.drain_timeout == absl::Seconds(10));
  CHECK(settings.redis_address.empty());  // no Redis in the defaults: REDIS_ADDR is not read

  defaults.redis_address = "127.0.0.1:6379";
  setenv("ZT_SETTINGSTEST_DRAIN_TIMEOUT", "30s", 1);
  setenv("ZT_SETTINGSTEST_WORKER_THREADS", "0", 1);
  config::Env with_redis("ZT_SETTINGSTEST_");
  settings = ReadServiceSettings(with_redis, defaults);
  CHECK(settings.redis_address == "redis:6379");
  CHECK(settings.drain_timeout == absl::Seconds(30));
  absl::Status status = with_redis.Finish();
  CHECK(status.message().find("ZT_SETTINGSTEST_WORKER_THREADS") != absl::string_view::npos);
  unsetenv("ZT_SETTINGSTEST_REDIS_ADDR");
  unsetenv("ZT_SETTINGSTEST_DRAIN_TIMEOUT");
  unsetenv("ZT_SETTINGSTEST_WORKER_THREADS");
}

}  // namespace
}  // namespace zhongtai::server
