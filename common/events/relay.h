// Domain events, part 2 of 3: the relay that publishes the outbox (common/events/outbox.h) to Redis Streams.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg/pool.h"
#include "common/redis/redis.h"

namespace zhongtai::events {

struct RelayOptions {
  absl::Duration poll = absl::Milliseconds(50);
  int batch = 100;
  // XADD ... MAXLEN ~ max_len (approximate trimming); 0 keeps every entry.
  int64_t max_len = 1000000;
  // Published rows older than this are deleted from the outbox.
  absl::Duration retain = absl::Hours(24 * 7);
};

// Publishes unpublished outbox rows in created order with XADD to each row's stream, fields
// id, type, key, payload, occurred_at (RFC 3339), and marks them published in the same
// transaction. Several relays (replicas) may run at once: rows are locked with SKIP LOCKED.
class OutboxRelay {
 public:
  OutboxRelay(pg::Pool& pg, redis::Pool& redis, RelayOptions options = {});
  ~OutboxRelay();  // stops
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  void Start();
  void Stop();  // idempotent; waits for the current batch
  // Age in seconds of the oldest unpublished row as of the last poll (0 when none), for the
  // zt_outbox_lag_seconds gauge.
  double lag_seconds() const { return lag_seconds_.load(); }
  int64_t published() const { return published_.load(); }

  // One poll: publishes up to `batch` rows; returns how many. Start() calls it in a loop.
  absl::StatusOr<int> PublishOnce();

 private:
  void Run();
  void Cleanup();

  pg::Pool& pg_;
  redis::Pool& redis_;
  RelayOptions options_;
  std::atomic<double> lag_seconds_{0};
  std::atomic<int64_t> published_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace zhongtai::events
