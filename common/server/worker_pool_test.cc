#include "common/server/worker_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/server/call_scope.h"
#include "common/server/pool_executor.h"

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

TEST_CASE("work the pool already admitted is queued beyond its bound, never dropped") {
  WorkerPool pool(1, 0);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0};
  REQUIRE(pool.TrySubmit([&] {
    gate.wait();
    ++ran;
  }));
  for (int i = 0; i < 200 && pool.busy() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK_FALSE(pool.TrySubmit([&] { ++ran; }));
  CHECK(pool.Submit([&] { ++ran; }));
  CHECK(pool.Submit([&] { ++ran; }));
  release.set_value();
  pool.Stop();
  CHECK(ran == 3);
  CHECK_FALSE(pool.Submit([&] { ++ran; }));
}

TEST_CASE("admitted work that resumes runs before new work, in the order it resumed") {
  WorkerPool pool(1, 4);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::mutex mu;
  std::vector<std::string> order;
  auto note = [&](std::string name) {
    return [&, name] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(name);
    };
  };
  REQUIRE(pool.TrySubmit([gate] { gate.wait(); }));
  for (int i = 0; i < 200 && pool.busy() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(pool.TrySubmit(note("new 1")));
  REQUIRE(pool.Submit(note("resumed 1")));
  REQUIRE(pool.TrySubmit(note("new 2")));
  REQUIRE(pool.Submit(note("resumed 2")));
  release.set_value();
  pool.Stop();
  CHECK(order == std::vector<std::string>{"resumed 1", "resumed 2", "new 1", "new 2"});
}

TEST_CASE("at most threads + queue calls are open at once, however many of them wait elsewhere") {
  WorkerPool pool(2, 1);
  CHECK(pool.TryOpenCall());
  CHECK(pool.TryOpenCall());
  CHECK(pool.TryOpenCall());
  CHECK_FALSE(pool.TryOpenCall());
  pool.CloseCall();
  CHECK(pool.open_calls() == 2);
  CHECK(pool.TryOpenCall());
  pool.Stop();
  CHECK_FALSE(pool.TryOpenCall());
}

TEST_CASE("the pool executor runs tasks on the pool in the poster's call scope, and inline once the pool stopped") {
  WorkerPool pool(1, 0);
  PoolExecutor executor(pool);
  CallScope scope;
  scope.request_id = "req-7";
  scope.caller.user_id = "u7";

  std::promise<std::pair<std::string, std::thread::id>> seen;
  {
    ScopedCall serving(scope);
    executor.Run([&] { seen.set_value({CurrentCall().request_id, std::this_thread::get_id()}); });
  }
  auto [request_id, thread] = seen.get_future().get();
  CHECK(request_id == "req-7");
  CHECK(thread != std::this_thread::get_id());

  pool.Stop();
  std::thread::id ran_on;
  std::string user_id;
  {
    ScopedCall serving(scope);
    executor.Run([&] {
      ran_on = std::this_thread::get_id();
      user_id = CurrentCall().caller.user_id;
    });
  }
  CHECK(ran_on == std::this_thread::get_id());
  CHECK(user_id == "u7");
}

TEST_CASE("the pool executor runs a delayed task on the pool once its delay has passed, in the poster's scope") {
  WorkerPool pool(1, 0);
  PoolExecutor executor(pool);
  CallScope scope;
  scope.request_id = "req-8";
  std::promise<std::string> seen;
  auto posted = std::chrono::steady_clock::now();
  {
    ScopedCall serving(scope);
    executor.RunAfter(absl::Milliseconds(100), [&] { seen.set_value(CurrentCall().request_id); });
  }
  auto result = seen.get_future();
  REQUIRE(result.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - posted >= std::chrono::milliseconds(100));
  CHECK(result.get() == "req-8");
}

}  // namespace
}  // namespace zhongtai::server
