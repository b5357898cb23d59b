// zt-events: the operator's command for the events of docs/reliability.md ("Events: dead letters, trimming, lag,
// Redis loss").
//   zt-events dlq list    --redis HOST:PORT --stream STREAM [--group GROUP] [--count N]
//   zt-events dlq replay  --redis HOST:PORT --stream STREAM [--group GROUP] [--id ENTRY_ID] [--count N]
//   zt-events outbox replay --pg-dsn DSN [--stream STREAM] [--since RFC3339] [--until RFC3339] [--from-seq N]
// --redis defaults to $ZT_EVENTS_REDIS_ADDR and --pg-dsn to $ZT_EVENTS_PG_DSN (keeps the password off the command
// line). `dlq replay` moves dead letters back to their stream; `outbox replay` queues a service's published outbox
// rows to be published again by its relay (the service's database; its relay must be running). Both are safe to
// repeat: consumers skip what their inbox says they handled. Exit 0 on success, 1 on a failure, 2 on bad usage.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "common/events/dead_letters.h"
#include "common/events/relay.h"
#include "common/pg/pool.h"
#include "common/redis/redis.h"

namespace {

using namespace zhongtai;

constexpr char kUsage[] =
    "usage: zt-events dlq list --redis HOST:PORT --stream STREAM [--group GROUP] [--count N]\n"
    "       zt-events dlq replay --redis HOST:PORT --stream STREAM [--group GROUP] [--id ENTRY_ID] [--count N]\n"
    "       zt-events outbox replay --pg-dsn DSN [--stream STREAM] [--since RFC3339] [--until RFC3339] "
    "[--from-seq N]\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "%s\n%s", why.c_str(), kUsage);
  return 2;
}

std::string EnvOr(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "zt-events: %s\n", status.ToString().c_str());
  return 1;
}

int Dlq(const std::string& action, std::map<std::string, std::string>& flags) {
  std::string address = flags.count("redis") ? flags["redis"] : EnvOr("ZT_EVENTS_REDIS_ADDR");
  if (address.empty() || flags["stream"].empty()) return Usage("--redis and --stream are required");
  int count = 1000;
  if (flags.count("count") && !absl::SimpleAtoi(flags["count"], &count)) return Usage("--count must be a number");
  absl::StatusOr<std::unique_ptr<redis::Pool>> pool = redis::Pool::Open({address, 1, absl::Seconds(5)});
  if (!pool.ok()) return Fail(pool.status());
  if (action == "list") {
    absl::StatusOr<std::vector<events::DeadLetter>> letters =
        events::ListDeadLetters(**pool, flags["stream"], flags["group"], count);
    if (!letters.ok()) return Fail(letters.status());
    std::printf("entry_id\tgroup\tdeliveries\tdead_at\tevent_id\ttype\tkey\tsource_id\treason\n");
    for (const events::DeadLetter& l : *letters) {
      std::printf("%s\t%s\t%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", l.entry_id.c_str(), l.group.c_str(),
                  static_cast<long long>(l.deliveries), l.dead_at.c_str(), l.event_id.c_str(), l.type.c_str(),
                  l.key.c_str(), l.source_id.c_str(), l.reason.c_str());
    }
    std::printf("%zu dead letters\n", letters->size());
    return 0;
  }
  if (action == "replay") {
    absl::StatusOr<int> moved = events::ReplayDeadLetters(**pool, flags["stream"], flags["group"], flags["id"], count);
    if (!moved.ok()) return Fail(moved.status());
    std::printf("%d dead letters moved back to %s\n", *moved, flags["stream"].c_str());
    return 0;
  }
  return Usage("unknown dlq action " + action);
}

int Outbox(const std::string& action, std::map<std::string, std::string>& flags) {
  if (action != "replay") return Usage("unknown outbox action " + action);
  std::string dsn = flags.count("pg-dsn") ? flags["pg-dsn"] : EnvOr("ZT_EVENTS_PG_DSN");
  if (dsn.empty()) return Usage("--pg-dsn (or ZT_EVENTS_PG_DSN) is required");
  events::OutboxRange range;
  range.stream = flags["stream"];
  std::string error;
  if (flags.count("since") && !absl::ParseTime(absl::RFC3339_full, flags["since"], &range.since, &error)) {
    return Usage("--since: " + error);
  }
  if (flags.count("until") && !absl::ParseTime(absl::RFC3339_full, flags["until"], &range.until, &error)) {
    return Usage("--until: " + error);
  }
  if (flags.count("from-seq") && !absl::SimpleAtoi(flags["from-seq"], &range.from_seq)) {
    return Usage("--from-seq must be a number");
  }
  if (!flags.count("since") && !flags.count("from-seq")) {
    return Usage("say where the replay starts: --since or --from-seq");
  }
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Open({dsn, 1, absl::Seconds(10), "zt-events"});
  if (!pool.ok()) return Fail(pool.status());
  absl::StatusOr<int64_t> rows = events::ReplayOutbox(**pool, range);
  if (!rows.ok()) return Fail(rows.status());
  std::printf("%lld outbox rows queued to be published again\n", static_cast<long long>(*rows));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage("a command and an action are required");
  std::string command = argv[1], action = argv[2];
  std::map<std::string, std::string> flags;
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || i + 1 >= argc) return Usage("bad argument " + arg);
    flags[arg.substr(2)] = argv[++i];
  }
  for (const auto& flag : flags) {
    const std::string& name = flag.first;
    static const char* const kKnown[] = {"redis",  "stream", "group", "count",   "id",
                                         "pg-dsn", "since",  "until", "from-seq"};
    bool known = false;
    for (const char* k : kKnown) known = known || name == k;
    if (!known) return Usage("unknown flag --" + name);
  }
  if (command == "dlq") return Dlq(action, flags);
  if (command == "outbox") return Outbox(action, flags);
  return Usage("unknown command " + command);
}
