#include "common/redis/redis.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "common/testing/stores.h"

namespace zhongtai::redis {
namespace {

std::unique_ptr<Pool> OpenPool(int size = 2, absl::Duration timeout = absl::Seconds(1)) {
  auto pool = Pool::Open({testing::RedisAddress(), size, timeout});
  REQUIRE(pool.ok());
  return std::move(pool).value();
}

Reply MustRun(Pool& pool, const std::vector<std::string>& argv) {
  auto reply = pool.Command(argv);
  REQUIRE(reply.ok());
  return *reply;
}

TEST_CASE("Command round-trips binary values and reports each reply type") {
  auto pool = OpenPool();
  std::string key = testing::UniqueName("zt:test:kv");
  std::string value("a\0b\r\nc", 6);
  CHECK(MustRun(*pool, {"SET", key, value, "PX", "60000"}).str() == "OK");
  Reply got = MustRun(*pool, {"GET", key});
  CHECK(got.type() == Reply::Type::kString);
  CHECK(got.str() == value);
  CHECK(MustRun(*pool, {"GET", key + ":missing"}).is_nil());
  CHECK(MustRun(*pool, {"DEL", key}).integer() == 1);

  std::string list = testing::UniqueName("zt:test:list");
  MustRun(*pool, {"RPUSH", list, "x", "y"});
  Reply items = MustRun(*pool, {"LRANGE", list, "0", "-1"});
  REQUIRE(items.size() == 2);
  CHECK(items.element(1).str() == "y");
  MustRun(*pool, {"DEL", list});
}

TEST_CASE("An error reply becomes INTERNAL with the Redis error text") {
  auto pool = OpenPool();
  std::string key = testing::UniqueName("zt:test:str");
  MustRun(*pool, {"SET", key, "not a number", "PX", "60000"});
  auto reply = pool->Command({"INCR", key});
  CHECK(reply.status().code() == absl::StatusCode::kInternal);
  CHECK(ReasonOf(reply.status()) == "REDIS_ERROR");
  CHECK(std::string(reply.status().message()).find("not an integer") != std::string::npos);
  CHECK(pool->errors() == 0);
}

TEST_CASE("A killed connection fails one call with UNAVAILABLE, counts an error and is reopened") {
  auto pool = OpenPool(1);
  auto admin = OpenPool(1);
  int64_t id = MustRun(*pool, {"CLIENT", "ID"}).integer();
  CHECK(MustRun(*admin, {"CLIENT", "KILL", "ID", std::to_string(id)}).integer() == 1);
  auto broken = pool->Command({"PING"});
  CHECK(broken.status().code() == absl::StatusCode::kUnavailable);
  CHECK(pool->errors() == 1);
  CHECK(MustRun(*pool, {"PING"}).str() == "PONG");
  CHECK(MustRun(*pool, {"CLIENT", "ID"}).integer() != id);
}

TEST_CASE("A command slower than the timeout fails with UNAVAILABLE and the pool recovers") {
  auto pool = OpenPool(1, absl::Milliseconds(200));
  auto reply = pool->Command({"BLPOP", testing::UniqueName("zt:test:empty"), "1"});
  CHECK(reply.status().code() == absl::StatusCode::kUnavailable);
  CHECK(pool->errors() == 1);
  CHECK(MustRun(*pool, {"PING"}).str() == "PONG");
}

TEST_CASE("Script runs by SHA and still works after SCRIPT FLUSH") {
  auto pool = OpenPool();
  Script incr_by("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  std::string key = testing::UniqueName("zt:test:counter");
  auto first = incr_by.Run(*pool, {key}, {"5"});
  REQUIRE(first.ok());
  CHECK(first->integer() == 5);
  // Now cached: EVALSHA alone works.
  CHECK(MustRun(*pool, {"EVALSHA", incr_by.sha(), "1", key, "1"}).integer() == 6);
  MustRun(*pool, {"SCRIPT", "FLUSH"});
  auto after_flush = incr_by.Run(*pool, {key}, {"10"});
  REQUIRE(after_flush.ok());
  CHECK(after_flush->integer() == 16);
  MustRun(*pool, {"DEL", key});

  Script fails("return redis.error_reply('SOLD_OUT')");
  auto failed = fails.Run(*pool, {}, {});
  CHECK(failed.status().code() == absl::StatusCode::kInternal);
  CHECK(std::string(failed.status().message()).find("SOLD_OUT") != std::string::npos);
}

TEST_CASE("Open fails with UNAVAILABLE when Redis cannot be reached: Close refuses later calls") {
  auto unreachable = Pool::Open({"127.0.0.1:1", 1, absl::Milliseconds(500)});
  CHECK(unreachable.status().code() == absl::StatusCode::kUnavailable);
  auto pool = OpenPool();
  pool->Close();
  CHECK(pool->Command({"PING"}).status().code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace zhongtai::redis
