// Independent asynchronous operations started together: for calls to different services that do not need each
// other's answers (a saga step that asks two services at once), so the wait is the slowest call, not their sum.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "common/async/callback.h"

namespace zhongtai::async {

// An operation to start: it calls the StatusCallback it is given exactly once, on any thread.
using Operation = std::function<void(StatusCallback done)>;

// Starts every operation at once and calls `done` once after all of them finished: OK when all succeeded, else the
// failure of the earliest operation in the list that failed (so the error a caller sees does not depend on timing).
// With no operations, `done` runs at once.
inline void All(std::vector<Operation> operations, StatusCallback done) {
  if (operations.empty()) {
    done(absl::OkStatus());
    return;
  }
  struct Join {
    std::mutex mu;
    std::vector<absl::Status> results;
    std::atomic<size_t> remaining;
    StatusCallback done;
  };
  auto join = std::make_shared<Join>();
  join->results.resize(operations.size());
  join->remaining = operations.size();
  join->done = std::move(done);
  for (size_t i = 0; i < operations.size(); ++i) {
    operations[i]([join, i](absl::Status status) {
      {
        std::lock_guard<std::mutex> lock(join->mu);
        join->results[i] = std::move(status);
      }
      if (join->remaining.fetch_sub(1) != 1) return;
      absl::Status first = absl::OkStatus();
      {
        std::lock_guard<std::mutex> lock(join->mu);
        for (const absl::Status& result : join->results) {
          if (!result.ok()) {
            first = result;
            break;
          }
        }
      }
      join->done(first);
    });
  }
}

}  // namespace zhongtai::async
