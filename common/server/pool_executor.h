// The worker pool as the Executor that asynchronous domain code continues its blocking work on (a store step after a
// call to another service returned). Each task runs in the call scope of the thread that handed it over, so its logs
// and the calls it makes belong to the same request.
#pragma once

#include "common/async/callback.h"
#include "common/server/timer.h"
#include "common/server/worker_pool.h"

namespace zhongtai::server {

class PoolExecutor : public async::Executor {
 public:
  explicit PoolExecutor(WorkerPool& pool) : pool_(pool) {}

  // Queued even when the pool's queue is full (the work was admitted when its call started); run inline on the calling
  // thread once the pool has stopped, so that a saga still finishes (or undoes its steps) during shutdown.
  void Run(std::function<void()> task) override;
  // Waits on a timer thread of its own, then runs the task as Run does.
  void RunAfter(absl::Duration delay, std::function<void()> task) override;

 private:
  WorkerPool& pool_;
  Timer timer_;
};

}  // namespace zhongtai::server
