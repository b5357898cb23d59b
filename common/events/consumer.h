// Domain events, part 3 of 3: the consumer-group runner that applies each published event
// (common/events/outbox.h, common/events/relay.h) exactly once, deduplicated by an inbox table.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/events/outbox.h"
#include "common/pg/pool.h"
#include "common/redis/redis.h"

namespace zhongtai::events {

struct ConsumerOptions {
  std::string stream;    // e.g. "zt.events.order"
  std::string group;     // e.g. "datahub"; also the inbox's dedupe scope
  std::string consumer;  // unique per process; empty: host-pid-random
  // XREADGROUP BLOCK; kept below the Redis pool's timeout.
  absl::Duration block = absl::Milliseconds(500);
  // Pending entries idle longer than this (their consumer died, or the handler failed) are
  // claimed with XAUTOCLAIM and handled again.
  absl::Duration claim_idle = absl::Seconds(30);
  int batch = 50;
  // Inbox rows of this group older than this are deleted (a batch at most once a minute), so the
  // table does not grow forever. Far longer than an entry can stay pending or be published again,
  // so a late duplicate is still recognised.
  absl::Duration inbox_retention = absl::Hours(24 * 7);
};

// Runs inside the transaction that records event.id in the inbox; a non-OK status rolls both
// back and leaves the entry unacknowledged, to be retried.
using Handler = std::function<absl::Status(pqxx::work& tx, const Event& event)>;

// Reads `stream` as a member of `group` (created from the stream's start if missing) on a
// background thread. Each entry: Transact{ insert (group, event id) into inbox; if new, run the
// handler }, then XACK. A duplicate delivery is acknowledged without running the handler.
class StreamConsumer {
 public:
  StreamConsumer(pg::Pool& pg, redis::Pool& redis, ConsumerOptions options, Handler handler);
  ~StreamConsumer();  // stops
  StreamConsumer(const StreamConsumer&) = delete;
  StreamConsumer& operator=(const StreamConsumer&) = delete;

  void Start();
  void Stop();  // idempotent; waits up to one block period

  const std::string& consumer() const { return options_.consumer; }
  int64_t handled() const { return handled_.load(); }        // handler ran and committed
  int64_t duplicates() const { return duplicates_.load(); }  // already in the inbox
  int64_t failures() const { return failures_.load(); }      // handler or store failed

  // One round, without the thread: claims idle entries (when due), retries own pending entries
  // after a failure, then reads new entries (blocking up to `block`). Returns entries processed.
  absl::StatusOr<int> PollOnce();

  // Deletes up to 10000 of this group's inbox rows older than inbox_retention; returns how many.
  absl::StatusOr<int> PruneInbox();

 private:
  absl::Status EnsureGroup();
  absl::StatusOr<int> ReadAndHandle(const std::string& start_id, bool block);
  absl::StatusOr<int> ClaimAndHandle();
  int HandleEntries(const redis::Reply& entries);
  bool HandleEntry(const redis::Reply& entry);
  void Run();

  pg::Pool& pg_;
  redis::Pool& redis_;
  ConsumerOptions options_;
  Handler handler_;
  bool group_ready_ = false;
  bool retry_own_pending_ = true;  // also picks up our own entries left from a previous run
  absl::Time next_claim_ = absl::InfinitePast();
  absl::Time next_prune_ = absl::InfinitePast();
  std::atomic<int64_t> handled_{0};
  std::atomic<int64_t> duplicates_{0};
  std::atomic<int64_t> failures_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace zhongtai::events
