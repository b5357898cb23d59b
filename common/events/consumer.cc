#include "common/events/consumer.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

namespace zhongtai::events {
namespace {

// KEYS: the dead-letter stream, the source stream. ARGV: group, entry id, then the dead letter's fields.
// Only while the entry is still pending for the group (another consumer may have handled it meanwhile): XADD the
// dead letter and XACK the entry, at once. Returns 1 when moved, 0 when it was no longer pending.
const redis::Script& DeadLetterScript() {
  static const auto* const script = new redis::Script(R"lua(
local pending = redis.call('XPENDING', KEYS[2], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then return 0 end
redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
return 1
)lua");
  return *script;
}

// Failures that say something is down rather than that the event cannot be handled: retried, never dead-lettered.
bool Transient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted: return true;
    default: return false;
  }
}

// The milliseconds part of a stream entry id ("1700000000123-0").
int64_t IdMillis(const std::string& id) {
  int64_t ms = 0;
  if (!absl::SimpleAtoi(id.substr(0, id.find('-')), &ms)) return 0;
  return ms;
}

// The id right after `id` ("5-3" -> "5-4"), for exclusive range starts that work on every Redis version.
std::string NextId(const std::string& id) {
  size_t dash = id.find('-');
  uint64_t seq = 0;
  if (dash == std::string::npos || !absl::SimpleAtoi(id.substr(dash + 1), &seq)) return id;
  return absl::StrCat(id.substr(0, dash), "-", seq + 1);
}

// Prepared (common/pg/prepared.h): records that the group handled an event; no row when it had already.
const std::string kInboxInsert = "INSERT INTO inbox (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
// The same for a batch: returns the event ids that were not in the inbox yet (a repeated id only once).
const std::string kInboxInsertMany =
    "INSERT INTO inbox (consumer_group, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING "
    "RETURNING event_id";

std::string DefaultConsumerName() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(host[0] ? host : "consumer", "-", getpid(), "-", ids::RandomHex(6));
}

int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

}  // namespace

std::string DeadLetterStream(const std::string& stream) { return stream + ".dlq"; }

StreamConsumer::StreamConsumer(pg::Pool& pg, redis::Pool& redis, ConsumerOptions options, Handler handler)
    : StreamConsumer(pg, redis, std::move(options),
                     BatchHandler([handler = std::move(handler)](pqxx::work& tx, const std::vector<Event>& events) {
                       for (const Event& event : events) RETURN_IF_ERROR(handler(tx, event));
                       return absl::OkStatus();
                     })) {}

StreamConsumer::StreamConsumer(pg::Pool& pg, redis::Pool& redis, ConsumerOptions options, BatchHandler handler)
    : pg_(pg), redis_(redis), options_(std::move(options)), handler_(std::move(handler)) {
  if (options_.consumer.empty()) options_.consumer = DefaultConsumerName();
  if (options_.batch < 1) options_.batch = 1;
  // A BLOCK as long as the socket timeout would fail as a timeout.
  absl::Duration limit = redis_.timeout() * 0.8;
  if (options_.block > limit) options_.block = limit;
  if (options_.block < absl::Milliseconds(1)) options_.block = absl::Milliseconds(1);
  metrics_ = MetricsForGroup(options_.stream, options_.group);
}

StreamConsumer::~StreamConsumer() { Stop(); }

void StreamConsumer::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void StreamConsumer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::Status StreamConsumer::EnsureGroup() {
  absl::StatusOr<redis::Reply> created =
      redis_.Command({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  if (!created.ok() && !absl::StartsWith(created.status().message(), "BUSYGROUP")) {
    return created.status();
  }
  group_ready_ = true;
  return absl::OkStatus();
}

namespace {

// Reads an entry's fields into `event`. False when the entry has no fields left (deleted from the stream while
// pending).
bool ParseEntry(const redis::Reply& entry, Event* event) {
  const redis::Reply& fields = entry.element(1);
  if (fields.size() == 0) return false;
  bool has_occurred = false;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields.element(i).str();
    const std::string& value = fields.element(i + 1).str();
    if (name == "id") {
      event->id = value;
    } else if (name == "type") {
      event->type = value;
    } else if (name == "key") {
      event->key = value;
    } else if (name == "payload") {
      event->payload = value;
    } else if (name == "occurred_at") {
      std::string error;
      has_occurred = absl::ParseTime(absl::RFC3339_full, value, &event->occurred_at, &error);
    }
  }
  if (!has_occurred) event->occurred_at = absl::UnixEpoch();
  return true;
}

}  // namespace

bool StreamConsumer::HandleEntry(const redis::Reply& entry, std::vector<std::string>& acks) {
  if (entry.size() < 2) return true;
  const std::string& entry_id = entry.element(0).str();
  const redis::Reply& fields = entry.element(1);
  Event event;
  if (!ParseEntry(entry, &event)) {
    // Deleted from the stream while pending (XDEL, or trimmed by hand): nothing left to handle.
    log::Warn("skipping a pending entry the stream no longer holds",
              {{"stream", options_.stream}, {"entry", entry_id}});
    acks.push_back(entry_id);
    return true;
  }
  if (event.id.empty() || event.type.empty()) {
    // Not one of ours: nothing can ever handle it; kept for a person to look at.
    DeadLetter(entry_id, fields, "MALFORMED: the entry has no event id or type", 1);
    return true;
  }

  bool duplicate = false;
  absl::Status status = pg_.Transact([&](pqxx::work& tx) {
    duplicate = false;
    pqxx::result inserted = pg::Exec(tx, kInboxInsert, options_.group, event.id);
    if (inserted.affected_rows() == 0) {
      duplicate = true;
      return absl::OkStatus();
    }
    return handler_(tx, {event});
  });
  if (!status.ok()) {
    ++failures_;
    if (metrics_.failures != nullptr) metrics_.failures->Increment();
    retry_own_pending_ = true;
    log::Warn("event handler failed; will retry", {{"stream", options_.stream},
                                                   {"group", options_.group},
                                                   {"type", event.type},
                                                   {"event_id", event.id},
                                                   {"reason", ReasonOf(status)},
                                                   {"error", std::string(status.message())}});
    if (options_.max_deliveries > 0 && Transient(status)) {
      // Not the event's fault: its delivery count starts again, so that only the deliveries it failed on itself (or
      // whose consumers died on it) count towards max_deliveries, and a long outage never dead-letters anything.
      absl::StatusOr<redis::Reply> reset = redis_.Command(
          {"XCLAIM", options_.stream, options_.group, options_.consumer, "0", entry_id, "RETRYCOUNT", "0", "JUSTID"});
      if (!reset.ok()) {
        log::Warn("resetting a delivery count failed",
                  {{"stream", options_.stream}, {"error", std::string(reset.status().message())}});
      }
    } else if (options_.max_deliveries > 0) {
      std::map<std::string, int64_t> counts = DeliveryCounts(entry_id, entry_id, 1);
      auto it = counts.find(entry_id);
      if (it != counts.end() && it->second >= options_.max_deliveries) {
        DeadLetter(entry_id, fields, absl::StrCat(ReasonOf(status), ": ", status.message()), it->second);
        return true;
      }
    }
    return false;
  }
  if (duplicate) {
    ++duplicates_;
  } else {
    ++handled_;
  }
  acks.push_back(entry_id);
  return true;
}

std::map<std::string, int64_t> StreamConsumer::DeliveryCounts(const std::string& first, const std::string& last,
                                                              size_t count) {
  std::map<std::string, int64_t> counts;
  absl::StatusOr<redis::Reply> reply =
      redis_.Command({"XPENDING", options_.stream, options_.group, first, last, absl::StrCat(count)});
  if (!reply.ok()) {
    log::Warn("XPENDING failed", {{"stream", options_.stream}, {"error", std::string(reply.status().message())}});
    return counts;
  }
  for (const redis::Reply& row : reply->elements()) {  // [id, consumer, idle ms, deliveries]
    if (row.size() >= 4) counts[row.element(0).str()] = row.element(3).integer();
  }
  return counts;
}

void StreamConsumer::DeadLetter(const std::string& entry_id, const redis::Reply& fields, const std::string& reason,
                                int64_t deliveries) {
  std::vector<std::string> args = {options_.group, entry_id};
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    args.push_back(fields.element(i).str());
    args.push_back(fields.element(i + 1).str());
  }
  args.insert(args.end(), {"dlq_group", options_.group, "dlq_source_id", entry_id, "dlq_reason", reason,
                           "dlq_deliveries", absl::StrCat(deliveries), "dlq_consumer", options_.consumer, "dlq_at",
                           absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())});
  absl::StatusOr<redis::Reply> moved =
      DeadLetterScript().Run(redis_, {DeadLetterStream(options_.stream), options_.stream}, args);
  if (!moved.ok()) {
    // Still pending: delivered again later, and dead-lettered then.
    log::Warn("moving an entry to the dead-letter stream failed",
              {{"stream", options_.stream}, {"entry", entry_id}, {"error", std::string(moved.status().message())}});
    return;
  }
  if (moved->integer() != 1) return;  // another consumer acknowledged it meanwhile
  ++dead_lettered_;
  if (metrics_.dead_lettered != nullptr) metrics_.dead_lettered->Increment();
  log::Error("event dead-lettered after failed deliveries", {{"stream", options_.stream},
                                                             {"group", options_.group},
                                                             {"entry", entry_id},
                                                             {"dead_letter_stream", DeadLetterStream(options_.stream)},
                                                             {"deliveries", absl::StrCat(deliveries)},
                                                             {"reason", reason}});
}

bool StreamConsumer::HandleTogether(const std::vector<const redis::Reply*>& entries, std::vector<std::string>& acks) {
  std::vector<Event> events(entries.size());
  std::vector<std::string> event_ids;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!ParseEntry(*entries[i], &events[i]) || events[i].id.empty() || events[i].type.empty()) return false;
    event_ids.push_back(events[i].id);
  }
  int64_t handled = 0;
  int64_t duplicates = 0;
  absl::Status status = pg_.Transact([&](pqxx::work& tx) {
    handled = duplicates = 0;
    std::set<std::string> fresh;
    for (const pqxx::row& row : pg::Exec(tx, kInboxInsertMany, options_.group, pg::TextArrayLiteral(event_ids))) {
      fresh.insert(row[0].as<std::string>());
    }
    std::vector<Event> new_events;
    for (Event& event : events) {
      if (fresh.erase(event.id) == 0) {  // in the inbox before, or earlier in this batch
        ++duplicates;
        continue;
      }
      new_events.push_back(event);
    }
    handled = static_cast<int64_t>(new_events.size());
    if (new_events.empty()) return absl::OkStatus();
    return handler_(tx, new_events);
  });
  if (!status.ok()) {
    log::Info("a batch of events failed together; handling them one by one", {{"stream", options_.stream},
                                                                              {"group", options_.group},
                                                                              {"events", absl::StrCat(events.size())},
                                                                              {"reason", ReasonOf(status)}});
    return false;
  }
  handled_ += handled;
  duplicates_ += duplicates;
  for (const redis::Reply* entry : entries) acks.push_back(entry->element(0).str());
  return true;
}

void StreamConsumer::Acknowledge(const std::vector<std::string>& entry_ids) {
  if (entry_ids.empty()) return;
  std::vector<std::string> argv = {"XACK", options_.stream, options_.group};
  argv.insert(argv.end(), entry_ids.begin(), entry_ids.end());
  absl::StatusOr<redis::Reply> acked = redis_.Command(argv);
  if (!acked.ok()) {
    // Delivered again later; the inbox makes that harmless.
    log::Warn("XACK failed", {{"stream", options_.stream}, {"error", std::string(acked.status().message())}});
  }
}

int StreamConsumer::HandleEntries(const redis::Reply& entries) {
  std::vector<std::string> acks;
  std::vector<const redis::Reply*> wanted;
  for (const redis::Reply& entry : entries.elements()) {
    if (entry.size() < 2) continue;
    if (!options_.types.empty()) {
      const redis::Reply& fields = entry.element(1);
      const std::string* type = nullptr;
      for (size_t i = 0; i + 1 < fields.size() && type == nullptr; i += 2) {
        if (fields.element(i).str() == "type") type = &fields.element(i + 1).str();
      }
      // An entry without a type goes on to HandleEntry, which dead-letters it as malformed.
      if (type != nullptr && !type->empty() && options_.types.count(*type) == 0) {
        acks.push_back(entry.element(0).str());
        ++skipped_;
        continue;
      }
    }
    wanted.push_back(&entry);
  }
  // The whole batch in one transaction and one XACK; when any of it fails, each entry again in its own transaction,
  // so that only the failing one is retried or dead-lettered.
  if (wanted.size() < 2 || !HandleTogether(wanted, acks)) {
    for (const redis::Reply* entry : wanted) HandleEntry(*entry, acks);
  }
  Acknowledge(acks);
  return static_cast<int>(entries.size());
}

absl::StatusOr<int> StreamConsumer::ReadAndHandle(const std::string& start_id, bool block) {
  std::vector<std::string> argv = {"XREADGROUP",      "GROUP", options_.group,
                                   options_.consumer, "COUNT", absl::StrCat(options_.batch)};
  if (block) argv.insert(argv.end(), {"BLOCK", absl::StrCat(std::max<int64_t>(1, Millis(options_.block)))});
  argv.insert(argv.end(), {"STREAMS", options_.stream, start_id});
  absl::StatusOr<redis::Reply> reply = redis_.Command(argv);
  if (!reply.ok()) {
    if (absl::StartsWith(reply.status().message(), "NOGROUP")) group_ready_ = false;  // stream deleted
    return reply.status();
  }
  int n = 0;
  for (const redis::Reply& stream : reply->elements()) {  // nil (timeout) has none
    if (stream.size() == 2) n += HandleEntries(stream.element(1));
  }
  return n;
}

absl::StatusOr<int> StreamConsumer::ClaimAndHandle() {
  int n = 0;
  std::string cursor = "0-0";
  for (int round = 0; round < 10; ++round) {
    absl::StatusOr<redis::Reply> reply =
        redis_.Command({"XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
                        absl::StrCat(Millis(options_.claim_idle)), cursor, "COUNT", absl::StrCat(options_.batch)});
    if (!reply.ok()) {
      if (absl::StartsWith(reply.status().message(), "NOGROUP")) group_ready_ = false;  // Redis lost the stream
      return reply.status();
    }
    if (reply->size() < 2) break;
    const redis::Reply& entries = reply->element(1);
    // Entries delivered more than max_deliveries times were tried that often already, and their consumers died or
    // timed out each time (a handler that crashes the process): dead letters, not tried again.
    std::map<std::string, int64_t> counts;
    if (options_.max_deliveries > 0 && entries.size() > 0) {
      counts = DeliveryCounts(entries.element(0).element(0).str(), entries.element(entries.size() - 1).element(0).str(),
                              entries.size() + 100);
    }
    int claimed = 0;
    std::vector<std::string> acks;
    for (const redis::Reply& entry : entries.elements()) {
      ++claimed;
      if (entry.size() >= 2 && entry.element(1).size() > 0) {
        auto it = counts.find(entry.element(0).str());
        if (it != counts.end() && it->second > options_.max_deliveries) {
          DeadLetter(entry.element(0).str(), entry.element(1),
                     absl::StrCat("DELIVERY_LIMIT: delivered ", it->second - 1,
                                  " times without being acknowledged (its consumers died or timed out)"),
                     it->second - 1);
          continue;
        }
      }
      HandleEntry(entry, acks);
    }
    Acknowledge(acks);
    if (claimed > 0)
      log::Info("claimed idle stream entries", {{"stream", options_.stream}, {"count", absl::StrCat(claimed)}});
    n += claimed;
    cursor = reply->element(0).str();
    if (cursor == "0-0") break;
  }
  return n;
}

absl::StatusOr<int> StreamConsumer::PollOnce() {
  if (!group_ready_) RETURN_IF_ERROR(EnsureGroup());
  int n = 0;
  absl::Time now = absl::Now();
  if (now >= next_claim_) {
    next_claim_ = now + std::min(std::max(options_.claim_idle / 2, absl::Milliseconds(50)), absl::Seconds(5));
    ASSIGN_OR_RETURN(int claimed, ClaimAndHandle());
    n += claimed;
  }
  if (retry_own_pending_) {
    retry_own_pending_ = false;
    int64_t failures_before = failures_.load();
    ASSIGN_OR_RETURN(int pending, ReadAndHandle("0", /*block=*/false));
    n += pending;
    // Entries that failed again wait for the next claim round instead of spinning here.
    if (pending >= options_.batch && failures_.load() == failures_before)
      retry_own_pending_ = true;
    else
      retry_own_pending_ = false;
  }
  if (now >= next_prune_) {
    next_prune_ = now + absl::Minutes(1);
    absl::StatusOr<int> pruned = PruneInbox();
    if (!pruned.ok()) log::Warn("inbox pruning failed", {{"error", std::string(pruned.status().message())}});
  }
  if (now >= next_stats_) {
    next_stats_ = now + options_.stats_interval;
    UpdateStats();
  }
  ASSIGN_OR_RETURN(int fresh, ReadAndHandle(">", /*block=*/true));
  return n + fresh;
}

absl::StatusOr<GroupStats> StreamConsumer::ReadGroupStats() {
  GroupStats stats;
  ASSIGN_OR_RETURN(redis::Reply dead, redis_.Command({"XLEN", DeadLetterStream(options_.stream)}));
  stats.dead_letters = dead.integer();
  absl::StatusOr<redis::Reply> groups = redis_.Command({"XINFO", "GROUPS", options_.stream});
  if (!groups.ok()) {
    if (absl::StrContains(groups.status().message(), "no such key")) return stats;  // nothing published yet
    return groups.status();
  }
  std::string last_delivered;
  bool lag_known = false;
  for (const redis::Reply& group : groups->elements()) {
    std::map<std::string, const redis::Reply*> info;
    for (size_t i = 0; i + 1 < group.size(); i += 2) info[group.element(i).str()] = &group.element(i + 1);
    if (info.count("name") == 0 || info["name"]->str() != options_.group) continue;
    if (info.count("pending")) stats.pending = info["pending"]->integer();
    if (info.count("last-delivered-id")) last_delivered = info["last-delivered-id"]->str();
    if (info.count("lag") && info["lag"]->type() == redis::Reply::Type::kInteger) {
      stats.lag = info["lag"]->integer();
      lag_known = true;
    }
  }
  if (last_delivered.empty()) return stats;  // the group is not made yet
  int64_t oldest_ms = 0;
  if (stats.pending > 0) {
    ASSIGN_OR_RETURN(redis::Reply summary, redis_.Command({"XPENDING", options_.stream, options_.group}));
    if (summary.size() >= 2 && summary.element(1).type() == redis::Reply::Type::kString) {
      oldest_ms = IdMillis(summary.element(1).str());
    }
  }
  // The first entry not yet delivered; without Redis' own count (unknown after deletions), count up to 1000.
  const int64_t count = lag_known ? 1 : 1000;
  ASSIGN_OR_RETURN(redis::Reply undelivered, redis_.Command({"XRANGE", options_.stream, NextId(last_delivered), "+",
                                                             "COUNT", absl::StrCat(count)}));
  if (!lag_known) stats.lag = static_cast<int64_t>(undelivered.size());
  if (undelivered.size() > 0) {
    int64_t first_ms = IdMillis(undelivered.element(0).element(0).str());
    if (oldest_ms == 0 || first_ms < oldest_ms) oldest_ms = first_ms;
  }
  if (oldest_ms > 0) {
    stats.oldest_unacked_seconds = std::max(0.0, absl::ToDoubleSeconds(absl::Now() - absl::FromUnixMillis(oldest_ms)));
  }
  return stats;
}

void StreamConsumer::UpdateStats() {
  if (metrics_.lag == nullptr) return;  // no metrics exported: nothing to update
  absl::StatusOr<GroupStats> stats = ReadGroupStats();
  if (!stats.ok()) {
    log::Warn(
        "reading the consumer group's lag failed",
        {{"stream", options_.stream}, {"group", options_.group}, {"error", std::string(stats.status().message())}});
    return;
  }
  metrics_.lag->Set(static_cast<double>(stats->lag));
  metrics_.pending->Set(static_cast<double>(stats->pending));
  metrics_.oldest_unacked_seconds->Set(stats->oldest_unacked_seconds);
  metrics_.dead_letters->Set(static_cast<double>(stats->dead_letters));
}

absl::StatusOr<int> StreamConsumer::PruneInbox() {
  int deleted = 0;
  RETURN_IF_ERROR(pg_.Transact([&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        "DELETE FROM inbox WHERE consumer_group = $1 AND event_id IN (SELECT event_id FROM inbox "
        "WHERE consumer_group = $1 AND handled_at < now() - make_interval(secs => $2) LIMIT 10000)",
        options_.group, absl::ToDoubleSeconds(options_.inbox_retention));
    deleted = static_cast<int>(rows.affected_rows());
    return absl::OkStatus();
  }));
  return deleted;
}

void StreamConsumer::Run() {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    absl::StatusOr<int> polled = PollOnce();
    absl::Duration pause = absl::ZeroDuration();
    if (!polled.ok()) {
      log::Warn(
          "stream consumer failed",
          {{"stream", options_.stream}, {"group", options_.group}, {"error", std::string(polled.status().message())}});
      pause = absl::Seconds(1);
    } else if (*polled > 0 && *polled < options_.batch) {
      pause = options_.gather;
    }
    if (pause > absl::ZeroDuration()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, absl::ToChronoNanoseconds(pause), [this] { return stopping_; });
    }
  }
}

}  // namespace zhongtai::events
