// Access tokens revoked before they expire. An access token is checked by its signature alone, so it stays valid for
// its whole life (15 minutes); when an account is erased its tokens must stop working at once. The user service
// records "every access token of this user issued up to T is revoked" in Redis, and the gateway looks the record up
// for each signed-in request. A record is kept as long as an access token lives: after that every token it covers has
// expired anyway, so Redis holds one small key per account erased within the last access-token lifetime.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/redis.h"

namespace zhongtai::auth {

// The Redis key of a user's revocation record; its value is the revocation time in Unix seconds.
std::string RevocationKey(absl::string_view user_id);
// The Redis key that revokes one session's access tokens (their "sid" claim, token.h); its value is "1".
//
// Why per session and not only the per-user watermark: logout ends one session and must leave the user's other
// devices signed in; and a password change is followed at once by a new login, whose token carries the same whole
// second as the change (token times are seconds), so a "revoked up to T" watermark would also refuse the new login's
// tokens for their whole life. Revoking the sessions that existed at the change by id refuses exactly those.
std::string SessionRevocationKey(absl::string_view session_id);

// What the records say about one token.
struct RevocationState {
  std::optional<absl::Time> user_revoked_at;  // the user's watermark (an erased account), if any
  bool session_revoked = false;               // the token's session was ended (logout, password or role change)
};

// Whether a token issued at `issued_at` is covered by a revocation at `revoked_at`. Token times are whole seconds,
// so a token issued in the same second as the revocation counts as revoked.
bool IsRevokedBy(absl::Time issued_at, absl::Time revoked_at);

class RedisTokenRevocations {
 public:
  explicit RedisTokenRevocations(redis::Pool& pool) : pool_(pool) {}

  // Revokes every access token of the user issued up to `at`; the record expires after `keep_for` (at least the
  // access-token lifetime). A later revocation replaces an earlier one.
  absl::Status Revoke(const std::string& user_id, absl::Time at, absl::Duration keep_for);
  // The user's revocation time; nullopt when there is none.
  absl::StatusOr<std::optional<absl::Time>> RevokedAt(const std::string& user_id);

  // Revokes the access tokens of these sessions; each record expires after `keep_for` (at least the access-token
  // lifetime). One round trip whatever the number of sessions.
  absl::Status RevokeSessions(const std::vector<std::string>& session_ids, absl::Duration keep_for);
  // Both records of one token in one round trip (MGET): the gateway's check. An empty session id is not looked up.
  absl::StatusOr<RevocationState> Lookup(const std::string& user_id, const std::string& session_id);

 private:
  redis::Pool& pool_;
};

}  // namespace zhongtai::auth
