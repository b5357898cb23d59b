// Domain events, part 3 of 3: the consumer-group runner that applies each published event
// (common/events/outbox.h, common/events/relay.h) exactly once, deduplicated by an inbox table.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/events/metrics.h"
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
  // After a read that handled entries but fewer than `batch`, the runner waits this long before reading again, so that
  // under load one read (one XREADGROUP, one transaction with one inbox statement, one XACK) takes the entries of many
  // events instead of one each; an idle group still answers its first event at once (the read blocks). An event
  // arriving while the group gathers waits at most this long more. 0: read again at once.
  absl::Duration gather = absl::Milliseconds(50);
  // Inbox rows of this group older than this are deleted (a batch at most once a minute), so the
  // table does not grow forever. Far longer than an entry can stay pending or be published again,
  // so a late duplicate is still recognised.
  absl::Duration inbox_retention = absl::Hours(24 * 7);
  // An entry delivered this many times without being handled goes to the dead-letter stream DeadLetterStream(stream)
  // with its group, the failure and the delivery count, and is acknowledged here (zt_events_dead_lettered_total; the
  // ZtEventsDeadLetters alert; `zt-events dlq replay` moves it back). Failures that say the store or a dependency is
  // unavailable (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED) never dead-letter: they set the entry's
  // delivery count back to 0 (XCLAIM RETRYCOUNT 0), and it stays pending and is retried until they pass (the lag
  // alert covers a long outage). An entry claimed with more deliveries than this (its consumers died on it each
  // time) is dead-lettered without being tried again. 0: never dead-letter.
  int max_deliveries = 5;
  // How often the group's lag, pending entries and dead letters are read for the zt_events_group_* gauges.
  absl::Duration stats_interval = absl::Seconds(15);
  // The event types the handler acts on; an entry of another type is acknowledged (with the batch's other skipped
  // entries, one XACK) without a transaction or an inbox row. Empty: every type goes to the handler. A stream carries
  // many types and most groups want one or two: this spares PostgreSQL a transaction per event per such group.
  std::set<std::string> types;
};

// "<stream>.dlq": where a stream's consumers put the entries they could not handle.
std::string DeadLetterStream(const std::string& stream);

// A consumer group's position on its stream (GroupStats()).
struct GroupStats {
  int64_t lag = 0;                    // entries not yet delivered to the group
  int64_t pending = 0;                // delivered, not acknowledged
  double oldest_unacked_seconds = 0;  // age of the oldest entry pending or not yet delivered; 0 when none
  int64_t dead_letters = 0;           // entries in DeadLetterStream(stream), every group's
};

// Runs inside the transaction that records event.id in the inbox (with the other events of the same read, see
// StreamConsumer); a non-OK status rolls it back and the entry is tried again alone.
using Handler = std::function<absl::Status(pqxx::work& tx, const Event& event)>;
// The same for all the new events of one read at once (in stream order; one event when an entry is tried alone), for
// a handler that writes them with one statement instead of one each.
using BatchHandler = std::function<absl::Status(pqxx::work& tx, const std::vector<Event>& events)>;

// Reads `stream` as a member of `group` (created from the stream's start if missing) on a
// background thread. The entries of one read that are of a type the group wants (options.types) are handled in one
// transaction: insert (group, event id) of each into the inbox; run the handler for each that was new; then one XACK
// for the whole read, other types included. When any handler fails, the transaction rolls back and each entry is
// handled again in its own transaction, so that only the failing one stays pending. A duplicate delivery is
// acknowledged without running the handler. An entry that fails max_deliveries deliveries (or has no event id or type)
// goes to the dead-letter stream instead.
class StreamConsumer {
 public:
  StreamConsumer(pg::Pool& pg, redis::Pool& redis, ConsumerOptions options, Handler handler);
  StreamConsumer(pg::Pool& pg, redis::Pool& redis, ConsumerOptions options, BatchHandler handler);
  ~StreamConsumer();  // stops
  StreamConsumer(const StreamConsumer&) = delete;
  StreamConsumer& operator=(const StreamConsumer&) = delete;

  void Start();
  void Stop();  // idempotent; waits up to one block period

  const std::string& consumer() const { return options_.consumer; }
  int64_t handled() const { return handled_.load(); }              // handler ran and committed
  int64_t duplicates() const { return duplicates_.load(); }        // already in the inbox
  int64_t failures() const { return failures_.load(); }            // handler or store failed
  int64_t dead_lettered() const { return dead_lettered_.load(); }  // moved to the dead-letter stream
  int64_t skipped() const { return skipped_.load(); }              // of a type not in options.types

  // One round, without the thread: claims idle entries (when due), retries own pending entries
  // after a failure, then reads new entries (blocking up to `block`). Returns entries processed.
  absl::StatusOr<int> PollOnce();

  // Deletes up to 10000 of this group's inbox rows older than inbox_retention; returns how many.
  absl::StatusOr<int> PruneInbox();

  // Reads the group's lag, pending entries and the dead letters from Redis (PollOnce does every stats_interval and
  // sets the zt_events_group_* gauges).
  absl::StatusOr<GroupStats> ReadGroupStats();

 private:
  absl::Status EnsureGroup();
  absl::StatusOr<int> ReadAndHandle(const std::string& start_id, bool block);
  absl::StatusOr<int> ClaimAndHandle();
  int HandleEntries(const redis::Reply& entries);
  // One entry in its own transaction; its id goes to `acks` when it was handled or was a duplicate. False when it
  // failed and stays pending.
  bool HandleEntry(const redis::Reply& entry, std::vector<std::string>& acks);
  // Well-formed entries in one transaction (one inbox statement for all, the handler for each new event); their ids go
  // to `acks`. False, with nothing written, when any of them is malformed or fails.
  bool HandleTogether(const std::vector<const redis::Reply*>& entries, std::vector<std::string>& acks);
  void Acknowledge(const std::vector<std::string>& entry_ids);  // one XACK
  // Moves the entry to the dead-letter stream and acknowledges it, in one script.
  void DeadLetter(const std::string& entry_id, const redis::Reply& fields, const std::string& reason,
                  int64_t deliveries);
  // Times each entry in [first, last] was delivered to the group (XPENDING); empty on error.
  std::map<std::string, int64_t> DeliveryCounts(const std::string& first, const std::string& last, size_t count);
  void UpdateStats();
  void Run();

  pg::Pool& pg_;
  redis::Pool& redis_;
  ConsumerOptions options_;
  BatchHandler handler_;
  bool group_ready_ = false;
  bool retry_own_pending_ = true;  // also picks up our own entries left from a previous run
  absl::Time next_claim_ = absl::InfinitePast();
  absl::Time next_prune_ = absl::InfinitePast();
  absl::Time next_stats_ = absl::InfinitePast();
  GroupMetrics metrics_;
  std::atomic<int64_t> handled_{0};
  std::atomic<int64_t> duplicates_{0};
  std::atomic<int64_t> failures_{0};
  std::atomic<int64_t> dead_lettered_{0};
  std::atomic<int64_t> skipped_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace zhongtai::events
