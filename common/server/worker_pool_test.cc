#include "common/server/worker_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>

namespace zhongtai::server {
namespace {

TEST_CASE("worker pool runs accepted work and refuses work beyond its queue") {
  WorkerPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0};

  REQUIRE(pool.TrySubmit([&] {
    gate.wait();
    ++ran;
  }));
  // Wait until the single worker has picked up the blocking task.
  for (int i = 0; i < 200 && pool.busy() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(pool.busy() == 1);

  REQUIRE(pool.TrySubmit([&] { ++ran; }));
  REQUIRE(pool.TrySubmit([&] { ++ran; }));
  CHECK(pool.queued() == 2);
  CHECK_FALSE(pool.TrySubmit([&] { ++ran; }));

  release.set_value();
  pool.Stop();
  CHECK(ran == 3);
  CHECK_FALSE(pool.TrySubmit([&] { ++ran; }));
}

}  // namespace
}  // namespace zhongtai::server
