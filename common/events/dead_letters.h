// Domain events, operations: the dead-letter streams the consumers fill (consumer.h, ConsumerOptions::max_deliveries)
// read and moved back. The `zt-events` command (zt_events_main.cc) runs these for a person.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis/redis.h"

namespace zhongtai::events {

struct DeadLetter {
  std::string entry_id;   // in the dead-letter stream
  std::string source_id;  // the entry's id in the source stream
  std::string group;      // the consumer group that could not handle it
  std::string reason;     // "<REASON>: message" of the last failure, or MALFORMED / DELIVERY_LIMIT
  int64_t deliveries = 0;
  std::string consumer;
  std::string dead_at;  // RFC 3339
  std::string event_id, type, key;
};

// Up to `max` dead letters of `stream` (read from DeadLetterStream(stream)), oldest first; only `group`'s when set.
absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(redis::Pool& redis, const std::string& stream,
                                                        const std::string& group, int max);

// Moves up to `max` dead letters of `stream` (only `group`'s when set; only the one with entry id `entry_id` when
// set) back to `stream`: each becomes a new entry with the event's own fields and leaves the dead-letter stream, in
// one script. Every consumer group of the stream receives it again; the groups that handled it already find it in
// their inbox and skip it. Returns how many moved.
absl::StatusOr<int> ReplayDeadLetters(redis::Pool& redis, const std::string& stream, const std::string& group,
                                      const std::string& entry_id, int max);

}  // namespace zhongtai::events
