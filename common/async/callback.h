// Continuation-passing without I/O: how asynchronous work reports back, and where blocking work continues.
// Domain code uses these to call other services without holding a thread while it waits; the gRPC side lives in
// common/server (CallAsync, PoolExecutor).
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace zhongtai::async {

// The outcome of an asynchronous operation. Called exactly once, on any thread, possibly before the call that
// started the operation has returned (fakes complete inline). It must not block: blocking work continues on an
// Executor (see On below).
template <typename T>
using Callback = std::function<void(absl::StatusOr<T>)>;
using StatusCallback = std::function<void(absl::Status)>;

// Where blocking work (a database transaction) runs: a service's worker pool, or inline in tests.
class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `task` soon, on a thread that may block. Never drops it: an implementation that cannot queue it (its
  // pool is stopping) runs it inline. Tasks may run in any order and concurrently.
  virtual void Run(std::function<void()> task) = 0;
  // Runs `task` as Run would, once `delay` has passed; no thread is held while it waits.
  virtual void RunAfter(absl::Duration delay, std::function<void()> task) = 0;
};

// For tests: runs each task at once on the calling thread (after sleeping for RunAfter's delay).
class InlineExecutor : public Executor {
 public:
  void Run(std::function<void()> task) override { task(); }
  void RunAfter(absl::Duration delay, std::function<void()> task) override {
    absl::SleepFor(delay);
    task();
  }
};

// A callback that continues with `next` on `executor`: for the completion of a remote call whose continuation
// touches the store.
template <typename Result>
std::function<void(Result)> On(Executor& executor, std::function<void(Result)> next) {
  return [&executor, next = std::move(next)](Result result) mutable {
    executor.Run([next = std::move(next), result = std::move(result)]() mutable { next(std::move(result)); });
  };
}

// Runs `work` (which may block) on `executor` and hands its result to `done`.
template <typename Result>
void Blocking(Executor& executor, std::function<Result()> work, std::function<void(Result)> done) {
  executor.Run([work = std::move(work), done = std::move(done)] { done(work()); });
}

// Starts an operation with `start(callback)` and waits for its result. Only for a thread that may block and that
// the operation does not need in order to finish: tests, or a background task's own thread. Never on a worker
// of the pool the operation continues on, nor on a gRPC thread.
template <typename Result, typename Start>
Result Await(Start&& start) {
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> result = promise->get_future();
  start([promise](Result value) { promise->set_value(std::move(value)); });
  return result.get();
}

}  // namespace zhongtai::async
