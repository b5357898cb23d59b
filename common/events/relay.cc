#include "common/events/relay.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/status/status.h"

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

// The longest wait between polls that found nothing: each empty poll doubles the wait from `poll` up to this.
constexpr absl::Duration kIdlePollMax = absl::Milliseconds(400);

}  // namespace

absl::StatusOr<int> OutboxRelay::PublishOnce() {
  int published = 0;
  absl::Status redis_status;
  absl::Status status = pg_.Transact([&](pqxx::work& tx) {
    published = 0;
    redis_status = absl::OkStatus();
    pqxx::result rows = pg::Exec(tx, kSelectUnpublished, options_.batch);
    std::vector<std::string> done;
    for (const pqxx::row& row : rows) {
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
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoNanoseconds(wait), [this] { return stopping_; });
  }
}

}  // namespace zhongtai::events
