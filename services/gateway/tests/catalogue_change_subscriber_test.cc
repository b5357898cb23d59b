// The gateway's subscription to catalogue changes on the harness Redis (label store): live once subscribed, every
// publication heard, not live when Redis drops the connection and live again after it reconnects.
#include "services/gateway/catalogue_change_subscriber.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "common/redis/redis.h"
#include "common/testing/stores.h"

namespace zhongtai::gateway {
namespace {

template <typename Condition>
bool Eventually(Condition condition) {
  for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return condition();
}

TEST_CASE("catalogue changes: every publication is heard while subscribed, a lost connection is reported and healed") {
  std::string channel = testing::UniqueName("zt.test.catalogue");
  std::atomic<int> changes{0};
  std::atomic<int> lives{0};
  std::atomic<bool> live{false};
  CatalogueChangeSubscriber subscriber(testing::RedisAddress(), channel,
                                       {[&] { ++changes; },
                                        [&](bool now_live) {
                                          live = now_live;
                                          if (now_live) ++lives;
                                        }},
                                       absl::Milliseconds(50));
  subscriber.Start();
  REQUIRE(Eventually([&] { return live.load(); }));

  auto redis = redis::Pool::Open(redis::Options{testing::RedisAddress(), 1, absl::Seconds(1)});
  REQUIRE(redis.ok());
  REQUIRE((*redis)->Command({"PUBLISH", channel, "p1"}).ok());
  REQUIRE((*redis)->Command({"PUBLISH", channel, ""}).ok());
  CHECK(Eventually([&] { return changes.load() == 2; }));

  // Redis drops the subscriber's connection: reported, then subscribed again.
  REQUIRE((*redis)->Command({"CLIENT", "KILL", "TYPE", "pubsub"}).ok());
  CHECK(Eventually([&] { return lives.load() >= 2 && live.load(); }));
  REQUIRE((*redis)->Command({"PUBLISH", channel, "p2"}).ok());
  CHECK(Eventually([&] { return changes.load() == 3; }));

  subscriber.Stop();
  CHECK_FALSE(live.load());
}

}  // namespace
}  // namespace zhongtai::gateway
