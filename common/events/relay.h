// Domain events, part 2 of 3: the relay that publishes the outbox (common/events/outbox.h) to Redis Streams.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg/pool.h"
#include "common/redis/redis.h"

namespace zhongtai::events {

struct RelayOptions {
  absl::Duration poll = absl::Milliseconds(50);
  int batch = 100;
  // XADD ... MAXLEN ~ max_len: a hard cap that drops the oldest entries whether or not every group acknowledged
  // them, so it can lose events; 0 (the default) leaves trimming to TrimStream, which never does.
  int64_t max_len = 0;
  // Published rows older than this are deleted from the outbox. The window within which a range can be published
  // again (ReplayOutbox, a Redis data loss); keep it no longer than the consumers' inbox_retention, so that every
  // replayed event is still recognised as a duplicate.
  absl::Duration retain = absl::Hours(24 * 7);
  // How often the streams this relay publishes to are trimmed below what every consumer group acknowledged
  // (TrimStream); 0: never.
  absl::Duration trim_interval = absl::Seconds(30);
  // Redis data loss: before each poll the relay compares Redis' epoch key (kRedisEpochKey, a random value set once)
  // with the one it recorded in its database. A missing or different key means Redis lost its data (restarted
  // without it, or replaced): the rows published in the last loss_replay_window are queued to be published again
  // (consumers drop what they handled already by their inbox). 0: no check.
  absl::Duration loss_replay_window = absl::Hours(24);
};

// The Redis key whose random value marks one life of Redis' data (see RelayOptions::loss_replay_window).
inline constexpr char kRedisEpochKey[] = "zt.events.epoch";

// Which outbox rows to publish again (ReplayOutbox): those already published, of `stream` (every stream when empty),
// published at or after `since` and before `until`, and with seq >= from_seq.
struct OutboxRange {
  std::string stream;
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
  int64_t from_seq = 0;
};

// Marks the published outbox rows in `range` unpublished, so that the relay publishes them again in their order
// (after Redis lost them, or to feed a consumer group again); returns how many. Rows past RelayOptions::retain are
// gone. Safe to repeat: consumers dedupe by their inbox.
absl::StatusOr<int64_t> ReplayOutbox(pg::Pool& pg, const OutboxRange& range);

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

  // One poll: checks Redis' epoch (loss_replay_window), then publishes up to `batch` rows; returns how many.
  // Start() calls it in a loop.
  absl::StatusOr<int> PublishOnce();

  // Trims `stream` below what every consumer group acknowledged: entries before the oldest entry any group has
  // pending and before the first entry any group has not been delivered yet, in one script. A stream without groups
  // is left alone. Returns the entries removed. Start() trims every stream this relay published to each
  // trim_interval.
  absl::StatusOr<int64_t> TrimStream(const std::string& stream);
  // Also trims `stream`, which something other than an outbox publishes to (e.g. the flash-sale winners a Redis
  // script appends), each trim_interval.
  void AlsoTrim(const std::string& stream);

  // Compares Redis' epoch with the one recorded in the database (see RelayOptions::loss_replay_window); when Redis
  // lost its data, queues the rows published in the window again (one replica does) and returns true.
  absl::StatusOr<bool> CheckRedisEpoch();
  int64_t trimmed() const { return trimmed_.load(); }
  int64_t losses_detected() const { return losses_detected_.load(); }

 private:
  void Run();
  void Cleanup();
  void TrimAll();

  pg::Pool& pg_;
  redis::Pool& redis_;
  RelayOptions options_;
  std::atomic<double> lag_seconds_{0};
  std::atomic<int64_t> published_{0};
  std::atomic<int64_t> trimmed_{0};
  std::atomic<int64_t> losses_detected_{0};
  std::string known_epoch_;  // the epoch this relay last agreed with the database on
  std::mutex streams_mu_;
  std::set<std::string> streams_;  // published to since start: the ones TrimAll trims
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace zhongtai::events
