#include "common/events/consumer.h"

#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/pg/prepared.h"
#include "common/status/status.h"

namespace zhongtai::events {
namespace {

std::string DefaultConsumerName() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(host[0] ? host : "consumer", "-", getpid(), "-", ids::RandomHex(6));
}

int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

}  // namespace

StreamConsumer::StreamConsumer(pg::Pool& pg, redis::Pool& redis, ConsumerOptions options, Handler handler)
    : pg_(pg), redis_(redis), options_(std::move(options)), handler_(std::move(handler)) {
  if (options_.consumer.empty()) options_.consumer = DefaultConsumerName();
  if (options_.batch < 1) options_.batch = 1;
  // A BLOCK as long as the socket timeout would fail as a timeout.
  absl::Duration limit = redis_.timeout() * 0.8;
  if (options_.block > limit) options_.block = limit;
  if (options_.block < absl::Milliseconds(1)) options_.block = absl::Milliseconds(1);
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

bool StreamConsumer::HandleEntry(const redis::Reply& entry) {
  if (entry.size() < 2) return true;
  const std::string& entry_id = entry.element(0).str();
  const redis::Reply& fields = entry.element(1);
  Event event;
  bool has_occurred = false;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields.element(i).str();
    const std::string& value = fields.element(i + 1).str();
    if (name == "id") {
      event.id = value;
    } else if (name == "type") {
      event.type = value;
    } else if (name == "key") {
      event.key = value;
    } else if (name == "payload") {
      event.payload = value;
    } else if (name == "occurred_at") {
      std::string error;
      has_occurred = absl::ParseTime(absl::RFC3339_full, value, &event.occurred_at, &error);
    }
  }
  auto ack = [&] {
    absl::StatusOr<redis::Reply> acked = redis_.Command({"XACK", options_.stream, options_.group, entry_id});
    if (!acked.ok()) {
      // Delivered again later; the inbox makes that harmless.
      log::Warn("XACK failed", {{"stream", options_.stream}, {"error", std::string(acked.status().message())}});
    }
  };
  if (event.id.empty() || event.type.empty()) {
    // Trimmed away (no fields) or not one of ours: nothing can ever handle it.
    log::Warn("skipping malformed stream entry", {{"stream", options_.stream}, {"entry", entry_id}});
    ack();
    return true;
  }
  if (!has_occurred) event.occurred_at = absl::UnixEpoch();

  bool duplicate = false;
  absl::Status status = pg_.Transact([&](pqxx::work& tx) {
    duplicate = false;
    pqxx::result inserted =
        pg::Exec(tx, std::string("INSERT INTO inbox (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"),
                 options_.group, event.id);
    if (inserted.affected_rows() == 0) {
      duplicate = true;
      return absl::OkStatus();
    }
    return handler_(tx, event);
  });
  if (!status.ok()) {
    ++failures_;
    retry_own_pending_ = true;
    log::Warn("event handler failed; will retry", {{"stream", options_.stream},
                                                   {"group", options_.group},
                                                   {"type", event.type},
                                                   {"event_id", event.id},
                                                   {"reason", ReasonOf(status)},
                                                   {"error", std::string(status.message())}});
    return false;
  }
  if (duplicate) {
    ++duplicates_;
  } else {
    ++handled_;
  }
  ack();
  return true;
}

int StreamConsumer::HandleEntries(const redis::Reply& entries) {
  int n = 0;
  for (const redis::Reply& entry : entries.elements()) {
    HandleEntry(entry);
    ++n;
  }
  return n;
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
    if (!reply.ok()) return reply.status();
    if (reply->size() < 2) break;
    int claimed = HandleEntries(reply->element(1));
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
  ASSIGN_OR_RETURN(int fresh, ReadAndHandle(">", /*block=*/true));
  return n + fresh;
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
    if (!polled.ok()) {
      log::Warn(
          "stream consumer failed",
          {{"stream", options_.stream}, {"group", options_.group}, {"error", std::string(polled.status().message())}});
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }
}

}  // namespace zhongtai::events
