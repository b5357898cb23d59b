#include "common/events/relay.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/events/metrics.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/status/status.h"
#include "prometheus/counter.h"

namespace zhongtai::events {

OutboxRelay::OutboxRelay(pg::Pool& pg, redis::Pool& redis, RelayOptions options)
    : pg_(pg), redis_(redis), options_(std::move(options)) {
  if (options_.batch < 1) options_.batch = 1;
}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

namespace {

// Prepared (common/pg/prepared.h): the relay runs them every poll of every service.
const std::string kSelectUnpublished =
    "SELECT id, stream, type, key, payload, "
    "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
    "FROM outbox WHERE published_at IS NULL ORDER BY created_at, seq LIMIT $1 "
    "FOR UPDATE SKIP LOCKED";
const std::string kMarkPublished = "UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::text[])";
const std::string kLag =
    "SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0)::float8 "
    "FROM outbox WHERE published_at IS NULL";

// KEYS[1]: a stream. Trims the entries every consumer group acknowledged, atomically with reading the groups: below
// the smallest of, per group, its oldest pending entry (XPENDING) and the entry after its last delivered one. Returns
// the entries removed; -1 when the stream has no group (nobody has read it: nothing is known to be acknowledged), -2
// when there is no such stream.
const redis::Script& TrimScript() {
  static const auto* const script = new redis::Script(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
if #groups == 0 then return -1 end
local floor_ms, floor_seq
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function consider(ms, seq)
  if floor_ms == nil or ms < floor_ms or (ms == floor_ms and seq < floor_seq) then
    floor_ms, floor_seq = ms, seq
  end
end
for _, group in ipairs(groups) do
  local info = {}
  for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
  local ms, seq = parse(info['last-delivered-id'])
  consider(ms, seq + 1)
  if tonumber(info['pending']) > 0 then
    local summary = redis.call('XPENDING', KEYS[1], info['name'])
    local pms, pseq = parse(summary[2])
    consider(pms, pseq)
  end
end
return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-%d', floor_ms, floor_seq))
)lua");
  return *script;
}

std::string ToRfc3339(absl::Time t) {
  if (t == absl::InfinitePast()) return "-infinity";
  if (t == absl::InfiniteFuture()) return "infinity";
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

// The longest wait between polls that found nothing: each empty poll doubles the wait from `poll` up to this.
constexpr absl::Duration kIdlePollMax = absl::Milliseconds(400);

}  // namespace

absl::StatusOr<int64_t> ReplayOutbox(pg::Pool& pg, const OutboxRange& range) {
  int64_t rows = 0;
  RETURN_IF_ERROR(pg.Transact([&](pqxx::work& tx) {
    pqxx::result updated = tx.exec_params(
        "UPDATE outbox SET published_at = NULL WHERE published_at IS NOT NULL AND ($1 = '' OR stream = $1) "
        "AND published_at >= $2::timestamptz AND published_at < $3::timestamptz AND seq >= $4",
        range.stream, ToRfc3339(range.since), ToRfc3339(range.until), range.from_seq);
    rows = static_cast<int64_t>(updated.affected_rows());
    return absl::OkStatus();
  }));
  RelayMetrics metrics = MetricsForRelay();
  if (metrics.replayed != nullptr) metrics.replayed->Increment(static_cast<double>(rows));
  log::Info("outbox rows queued to be published again",
            {{"stream", range.stream.empty() ? "*" : range.stream}, {"rows", absl::StrCat(rows)}});
  return rows;
}

absl::StatusOr<bool> OutboxRelay::CheckRedisEpoch() {
  ASSIGN_OR_RETURN(redis::Reply current, redis_.Command({"GET", kRedisEpochKey}));
  if (current.is_nil()) {
    // A Redis without our data: new, or it lost it. Whichever relay comes first names this life of it.
    RETURN_IF_ERROR(redis_.Command({"SET", kRedisEpochKey, ids::RandomHex(16), "NX"}).status());
    ASSIGN_OR_RETURN(current, redis_.Command({"GET", kRedisEpochKey}));
    if (current.is_nil()) return Unavailable("REDIS_EPOCH_UNSET", "redis lost its epoch key again");
  }
  const std::string& epoch = current.str();
  if (epoch == known_epoch_) return false;
  // The first poll since start, or a new epoch: compare with what the database recorded, under its row lock (one
  // replica replays; the others find the new epoch recorded).
  std::string recorded;
  int64_t replayed = -1;
  RETURN_IF_ERROR(pg_.Transact([&](pqxx::work& tx) {
    replayed = -1;
    tx.exec("INSERT INTO events_relay_state (name, value) VALUES ('redis_epoch', '') ON CONFLICT DO NOTHING");
    recorded =
        tx.exec1("SELECT value FROM events_relay_state WHERE name = 'redis_epoch' FOR UPDATE")[0].as<std::string>();
    if (recorded == epoch) return absl::OkStatus();
    if (!recorded.empty() && options_.loss_replay_window > absl::ZeroDuration()) {
      pqxx::result updated = tx.exec_params(
          "UPDATE outbox SET published_at = NULL WHERE published_at >= clock_timestamp() - make_interval(secs => $1)",
          absl::ToDoubleSeconds(options_.loss_replay_window));
      replayed = static_cast<int64_t>(updated.affected_rows());
    }
    tx.exec_params("UPDATE events_relay_state SET value = $1, updated_at = now() WHERE name = 'redis_epoch'", epoch);
    return absl::OkStatus();
  }));
  known_epoch_ = epoch;
  if (replayed < 0) return false;
  ++losses_detected_;
  RelayMetrics metrics = MetricsForRelay();
  if (metrics.redis_loss_detected != nullptr) metrics.redis_loss_detected->Increment();
  if (metrics.replayed != nullptr) metrics.replayed->Increment(static_cast<double>(replayed));
  log::Error("redis lost its data: publishing the outbox's recent events again",
             {{"recorded_epoch", recorded},
              {"redis_epoch", epoch},
              {"rows", absl::StrCat(replayed)},
              {"window_s", absl::StrCat(absl::ToInt64Seconds(options_.loss_replay_window))}});
  return true;
}

absl::StatusOr<int64_t> OutboxRelay::TrimStream(const std::string& stream) {
  ASSIGN_OR_RETURN(redis::Reply reply, TrimScript().Run(redis_, {stream}, {}));
  int64_t removed = std::max<int64_t>(0, reply.integer());
  trimmed_ += removed;
  // The series exists (at 0) from the first trim of the stream on.
  if (prometheus::Counter* counter = TrimmedCounter(stream)) counter->Increment(static_cast<double>(removed));
  return removed;
}

void OutboxRelay::AlsoTrim(const std::string& stream) {
  std::lock_guard<std::mutex> lock(streams_mu_);
  streams_.insert(stream);
}

void OutboxRelay::TrimAll() {
  std::vector<std::string> streams;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    streams.assign(streams_.begin(), streams_.end());
  }
  for (const std::string& stream : streams) {
    absl::StatusOr<int64_t> removed = TrimStream(stream);
    if (!removed.ok()) {
      log::Warn("trimming a stream failed", {{"stream", stream}, {"error", std::string(removed.status().message())}});
    }
  }
}

absl::StatusOr<int> OutboxRelay::PublishOnce() {
  int published = 0;
  absl::Status redis_status;
  // Before publishing anything into a Redis that lost its data, queue what it lost, so that it goes out first.
  absl::Status epoch_status = absl::OkStatus();
  if (options_.loss_replay_window > absl::ZeroDuration()) epoch_status = CheckRedisEpoch().status();
  absl::Status status = pg_.Transact([&](pqxx::work& tx) {
    published = 0;
    redis_status = epoch_status;
    pqxx::result rows = pg::Exec(tx, kSelectUnpublished, options_.batch);
    std::vector<std::string> done;
    std::set<std::string> streams;
    for (const pqxx::row& row : rows) {
      if (!redis_status.ok()) break;
      std::vector<std::string> argv = {"XADD", row[1].as<std::string>()};
      if (options_.max_len > 0) {
        argv.insert(argv.end(), {"MAXLEN", "~", absl::StrCat(options_.max_len)});
      }
      argv.insert(argv.end(), {"*", "id", row[0].as<std::string>(), "type", row[2].as<std::string>(), "key",
                               row[3].as<std::string>(), "payload", pqxx::binarystring(row[4]).str(), "occurred_at",
                               row[5].as<std::string>()});
      absl::StatusOr<redis::Reply> added = redis_.Command(argv);
      if (!added.ok()) {
        redis_status = added.status();
        break;  // mark what was published; the rest waits for the next poll
      }
      done.push_back(row[0].as<std::string>());
      streams.insert(row[1].as<std::string>());
    }
    if (!streams.empty()) {
      std::lock_guard<std::mutex> lock(streams_mu_);
      streams_.insert(streams.begin(), streams.end());
    }
    if (!done.empty()) {
      pg::Exec(tx, kMarkPublished, pg::TextArrayLiteral(done));
    }
    // Everything this poll could see is published unless the batch was full or Redis failed: the lag is 0 without
    // asking (rows another replica holds locked are that replica's to publish and to report).
    if (static_cast<int>(rows.size()) < options_.batch && redis_status.ok()) {
      lag_seconds_ = 0;
    } else {
      lag_seconds_ = pg::Exec(tx, kLag)[0][0].as<double>();
    }
    published = static_cast<int>(done.size());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  published_ += published;
  if (!redis_status.ok()) return redis_status;
  return published;
}

void OutboxRelay::Cleanup() {
  absl::Status status = pg_.Transact([&](pqxx::work& tx) {
    tx.exec_params(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < "
        "clock_timestamp() - make_interval(secs => $1) LIMIT 10000)",
        absl::ToDoubleSeconds(options_.retain));
    return absl::OkStatus();
  });
  if (!status.ok()) log::Warn("outbox cleanup failed", {{"error", std::string(status.message())}});
}

void OutboxRelay::Run() {
  absl::Time next_cleanup = absl::Now() + absl::Minutes(1);
  absl::Time next_trim = absl::Now() + options_.trim_interval;
  // Polls that found nothing back off (doubling up to kIdlePollMax, never below `poll`), so an idle service costs a
  // few polls a second instead of 1/poll; the first poll that finds rows goes back to `poll`.
  absl::Duration idle_wait = options_.poll;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    absl::Duration wait = options_.poll;
    absl::StatusOr<int> published = PublishOnce();
    if (!published.ok()) {
      log::Warn("outbox relay failed",
                {{"error", std::string(published.status().message())}, {"reason", ReasonOf(published.status())}});
      wait = std::max(options_.poll, absl::Seconds(1));
    } else if (*published >= options_.batch) {
      wait = absl::ZeroDuration();
      idle_wait = options_.poll;
    } else if (*published > 0) {
      idle_wait = options_.poll;
    } else {
      wait = idle_wait;
      idle_wait = std::min(std::max(options_.poll, kIdlePollMax), idle_wait * 2);
    }
    if (absl::Now() >= next_cleanup) {
      Cleanup();
      next_cleanup = absl::Now() + absl::Minutes(1);
    }
    if (options_.trim_interval > absl::ZeroDuration() && absl::Now() >= next_trim) {
      TrimAll();
      next_trim = absl::Now() + options_.trim_interval;
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoNanoseconds(wait), [this] { return stopping_; });
  }
}

}  // namespace zhongtai::events
