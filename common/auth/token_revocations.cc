#include "common/auth/token_revocations.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::auth {

std::string RevocationKey(absl::string_view user_id) { return absl::StrCat("zt:auth:revoked:", user_id); }

bool IsRevokedBy(absl::Time issued_at, absl::Time revoked_at) {
  return absl::ToUnixSeconds(issued_at) <= absl::ToUnixSeconds(revoked_at);
}

absl::Status RedisTokenRevocations::Revoke(const std::string& user_id, absl::Time at, absl::Duration keep_for) {
  const int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(keep_for, absl::Seconds(1))));
  absl::StatusOr<redis::Reply> reply = pool_.Command(
      {"SET", RevocationKey(user_id), absl::StrCat(absl::ToUnixSeconds(at)), "EX", absl::StrCat(seconds)});
  return reply.status();
}

absl::StatusOr<std::optional<absl::Time>> RedisTokenRevocations::RevokedAt(const std::string& user_id) {
  ASSIGN_OR_RETURN(redis::Reply reply, pool_.Command({"GET", RevocationKey(user_id)}));
  if (reply.is_nil()) return std::optional<absl::Time>();
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(reply.str(), &seconds)) {
    return absl::InternalError("a token revocation record is not a time");
  }
  return std::optional<absl::Time>(absl::FromUnixSeconds(seconds));
}

}  // namespace zhongtai::auth
