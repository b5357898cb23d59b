#include "common/auth/token_revocations.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::auth {

std::string RevocationKey(absl::string_view user_id) { return absl::StrCat("zt:auth:revoked:", user_id); }

std::string SessionRevocationKey(absl::string_view session_id) {
  return absl::StrCat("zt:auth:revoked-session:", session_id);
}

namespace {

int64_t KeepSeconds(absl::Duration keep_for) {
  return std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(keep_for, absl::Seconds(1))));
}

absl::StatusOr<std::optional<absl::Time>> TimeOf(const redis::Reply& reply) {
  if (reply.is_nil()) return std::optional<absl::Time>();
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(reply.str(), &seconds)) {
    return absl::InternalError("a token revocation record is not a time");
  }
  return std::optional<absl::Time>(absl::FromUnixSeconds(seconds));
}

}  // namespace

bool IsRevokedBy(absl::Time issued_at, absl::Time revoked_at) {
  return absl::ToUnixSeconds(issued_at) <= absl::ToUnixSeconds(revoked_at);
}

absl::Status RedisTokenRevocations::Revoke(const std::string& user_id, absl::Time at, absl::Duration keep_for) {
  const int64_t seconds = KeepSeconds(keep_for);
  absl::StatusOr<redis::Reply> reply = pool_.Command(
      {"SET", RevocationKey(user_id), absl::StrCat(absl::ToUnixSeconds(at)), "EX", absl::StrCat(seconds)});
  return reply.status();
}

absl::StatusOr<std::optional<absl::Time>> RedisTokenRevocations::RevokedAt(const std::string& user_id) {
  ASSIGN_OR_RETURN(redis::Reply reply, pool_.Command({"GET", RevocationKey(user_id)}));
  return TimeOf(reply);
}

absl::Status RedisTokenRevocations::RevokeSessions(const std::vector<std::string>& session_ids,
                                                   absl::Duration keep_for) {
  if (session_ids.empty()) return absl::OkStatus();
  const std::string seconds = absl::StrCat(KeepSeconds(keep_for));
  if (session_ids.size() == 1) {
    return pool_.Command({"SET", SessionRevocationKey(session_ids[0]), "1", "EX", seconds}).status();
  }
  // Several keys with one expiry in one round trip: a script (MSET has no expiry).
  std::vector<std::string> argv = {
      "EVAL", "for i, key in ipairs(KEYS) do redis.call('SET', key, '1', 'EX', ARGV[1]) end return #KEYS",
      absl::StrCat(session_ids.size())};
  for (const std::string& id : session_ids) argv.push_back(SessionRevocationKey(id));
  argv.push_back(seconds);
  return pool_.Command(argv).status();
}

absl::StatusOr<RevocationState> RedisTokenRevocations::Lookup(const std::string& user_id,
                                                              const std::string& session_id) {
  RevocationState state;
  if (session_id.empty()) {
    ASSIGN_OR_RETURN(state.user_revoked_at, RevokedAt(user_id));
    return state;
  }
  ASSIGN_OR_RETURN(redis::Reply reply,
                   pool_.Command({"MGET", RevocationKey(user_id), SessionRevocationKey(session_id)}));
  if (reply.size() != 2) return absl::InternalError("MGET answered no pair");
  ASSIGN_OR_RETURN(state.user_revoked_at, TimeOf(reply.element(0)));
  state.session_revoked = !reply.element(1).is_nil();
  return state;
}

}  // namespace zhongtai::auth
