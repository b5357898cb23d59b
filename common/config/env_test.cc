#include "common/config/env.h"

#include <catch2/catch.hpp>
#include <cstdlib>

using zhongtai::config::Env;

TEST_CASE("config reads typed values and falls back to defaults") {
  setenv("ZT_TESTCFG_PORT", "8081", 1);
  setenv("ZT_TESTCFG_FLAG", "true", 1);
  unsetenv("ZT_TESTCFG_MISSING");
  Env env("ZT_TESTCFG_");
  CHECK(env.Port("PORT", 1) == 8081);
  CHECK(env.Bool("FLAG", false));
  CHECK(env.String("MISSING", "fallback") == "fallback");
  CHECK(env.Finish().ok());
}

TEST_CASE("config reports every bad variable at once") {
  setenv("ZT_TESTCFG2_PORT", "99999", 1);
  setenv("ZT_TESTCFG2_SIZE", "ten", 1);
  setenv("ZT_TESTCFG2_ADDR", "nohost", 1);
  unsetenv("ZT_TESTCFG2_DSN");
  Env env("ZT_TESTCFG2_");
  env.Port("PORT", 1);
  env.Int("SIZE", 4, 1, 64);
  env.HostPort("ADDR", "127.0.0.1:1");
  env.RequiredString("DSN");
  absl::Status status = env.Finish();
  REQUIRE(status.code() == absl::StatusCode::kInvalidArgument);
  std::string message(status.message());
  CHECK(message.find("ZT_TESTCFG2_PORT") != std::string::npos);
  CHECK(message.find("ZT_TESTCFG2_SIZE") != std::string::npos);
  CHECK(message.find("ZT_TESTCFG2_ADDR") != std::string::npos);
  CHECK(message.find("ZT_TESTCFG2_DSN is required") != std::string::npos);
}

TEST_CASE("config accepts gRPC DNS targets as addresses") {
  setenv("ZT_TESTCFG3_TARGET", "dns:///product:50051", 1);
  setenv("ZT_TESTCFG3_BAD", "dns:///product", 1);
  zhongtai::config::Env env("ZT_TESTCFG3_");
  CHECK(env.HostPort("TARGET", "x:1") == "dns:///product:50051");
  env.HostPort("BAD", "x:1");
  CHECK(env.Finish().message().find("ZT_TESTCFG3_BAD") != absl::string_view::npos);
  CHECK(env.Finish().message().find("ZT_TESTCFG3_TARGET") == absl::string_view::npos);
}

TEST_CASE("config reads durations in ParseDuration form within bounds") {
  setenv("ZT_TESTCFG4_WAIT", "250ms", 1);
  setenv("ZT_TESTCFG4_LONG", "2h", 1);
  setenv("ZT_TESTCFG4_BAD", "ten seconds", 1);
  unsetenv("ZT_TESTCFG4_MISSING");
  Env env("ZT_TESTCFG4_");
  CHECK(env.Duration("WAIT", absl::Seconds(1), absl::ZeroDuration(), absl::Minutes(1)) == absl::Milliseconds(250));
  CHECK(env.Duration("MISSING", absl::Seconds(3), absl::ZeroDuration(), absl::Minutes(1)) == absl::Seconds(3));
  CHECK(env.Duration("LONG", absl::Seconds(1), absl::ZeroDuration(), absl::Minutes(1)) == absl::Seconds(1));
  CHECK(env.Duration("BAD", absl::Seconds(1), absl::ZeroDuration(), absl::Minutes(1)) == absl::Seconds(1));
  absl::Status status = env.Finish();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()).find("ZT_TESTCFG4_LONG") != std::string::npos);
  CHECK(std::string(status.message()).find("ZT_TESTCFG4_BAD") != std::string::npos);
  CHECK(std::string(status.message()).find("ZT_TESTCFG4_WAIT") == std::string::npos);
}

TEST_CASE("a renamed setting still set under its old name stops start-up and names the new one") {
  setenv("ZT_ORDER_PAYMENT_TIMEOUT_SECONDS", "4", 1);
  Env env("ZT_ORDER_");
  absl::Status status = env.Finish();
  unsetenv("ZT_ORDER_PAYMENT_TIMEOUT_SECONDS");
  REQUIRE(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(status.message().find("ZT_ORDER_PAYMENT_TIMEOUT_SECONDS is no longer read: set ZT_ORDER_PAYMENT_TIMEOUT "
                              "instead") != absl::string_view::npos);
  // Only the prefix's own: another service's old name is none of this one's business.
  setenv("ZT_GATEWAY_UPSTREAM_TIMEOUT_MS", "5000", 1);
  CHECK(Env("ZT_ORDER_").Finish().ok());
  CHECK_FALSE(Env("ZT_GATEWAY_").Finish().ok());
  unsetenv("ZT_GATEWAY_UPSTREAM_TIMEOUT_MS");
  CHECK(Env("ZT_GATEWAY_").Finish().ok());
}
