#include "common/events/dead_letters.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/events/consumer.h"
#include "common/status/status.h"

namespace zhongtai::events {
namespace {

// KEYS: the dead-letter stream, the source stream. ARGV: the dead letter's entry id. Adds the event's own fields
// (not the dlq_ ones) to the source stream and deletes the dead letter; 0 when it is no longer there.
const redis::Script& ReplayScript() {
  static const auto* const script = new redis::Script(R"lua(
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entries == 0 then return 0 end
local fields, out = entries[1][2], {}
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 4) ~= 'dlq_' then
    out[#out + 1] = fields[i]
    out[#out + 1] = fields[i + 1]
  end
end
redis.call('XADD', KEYS[2], '*', unpack(out))
redis.call('XDEL', KEYS[1], ARGV[1])
return 1
)lua");
  return *script;
}

DeadLetter Parse(const redis::Reply& entry) {
  DeadLetter letter;
  letter.entry_id = entry.element(0).str();
  const redis::Reply& fields = entry.element(1);
  std::map<std::string, std::string> kv;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) kv[fields.element(i).str()] = fields.element(i + 1).str();
  letter.source_id = kv["dlq_source_id"];
  letter.group = kv["dlq_group"];
  letter.reason = kv["dlq_reason"];
  (void)absl::SimpleAtoi(kv["dlq_deliveries"], &letter.deliveries);
  letter.consumer = kv["dlq_consumer"];
  letter.dead_at = kv["dlq_at"];
  letter.event_id = kv["id"];
  letter.type = kv["type"];
  letter.key = kv["key"];
  return letter;
}

// The entry after `id`, for paging XRANGE.
std::string After(const std::string& id) {
  size_t dash = id.find('-');
  uint64_t seq = 0;
  if (dash == std::string::npos || !absl::SimpleAtoi(id.substr(dash + 1), &seq)) return id;
  return absl::StrCat(id.substr(0, dash), "-", seq + 1);
}

}  // namespace

absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(redis::Pool& redis, const std::string& stream,
                                                        const std::string& group, int max) {
  std::vector<DeadLetter> letters;
  std::string start = "-";
  while (static_cast<int>(letters.size()) < max) {
    ASSIGN_OR_RETURN(redis::Reply page,
                     redis.Command({"XRANGE", DeadLetterStream(stream), start, "+", "COUNT", "200"}));
    if (page.size() == 0) break;
    for (const redis::Reply& entry : page.elements()) {
      if (entry.size() < 2) continue;
      DeadLetter letter = Parse(entry);
      if (!group.empty() && letter.group != group) continue;
      letters.push_back(std::move(letter));
      if (static_cast<int>(letters.size()) >= max) break;
    }
    start = After(page.element(page.size() - 1).element(0).str());
  }
  return letters;
}

absl::StatusOr<int> ReplayDeadLetters(redis::Pool& redis, const std::string& stream, const std::string& group,
                                      const std::string& entry_id, int max) {
  std::vector<DeadLetter> letters;
  if (!entry_id.empty()) {
    ASSIGN_OR_RETURN(redis::Reply one, redis.Command({"XRANGE", DeadLetterStream(stream), entry_id, entry_id}));
    if (one.size() == 0) return NotFound("DEAD_LETTER_NOT_FOUND", absl::StrCat("no dead letter ", entry_id));
    letters.push_back(Parse(one.element(0)));
  } else {
    ASSIGN_OR_RETURN(letters, ListDeadLetters(redis, stream, group, max));
  }
  int moved = 0;
  for (const DeadLetter& letter : letters) {
    ASSIGN_OR_RETURN(redis::Reply reply,
                     ReplayScript().Run(redis, {DeadLetterStream(stream), stream}, {letter.entry_id}));
    moved += static_cast<int>(reply.integer());
  }
  return moved;
}

}  // namespace zhongtai::events
