#include "services/user/store/redis_token_revoker.h"

namespace zhongtai::user {
namespace {

// Beyond the token lifetime: a gateway whose clock runs behind still finds the record while it accepts the token.
constexpr absl::Duration kClockSkewMargin = absl::Minutes(1);

}  // namespace

RedisAccessTokenRevoker::RedisAccessTokenRevoker(redis::Pool& pool, absl::Duration access_ttl)
    : revocations_(pool), keep_for_(access_ttl + kClockSkewMargin) {}

absl::Status RedisAccessTokenRevoker::RevokeAccessTokens(const std::string& user_id, absl::Time at) {
  return revocations_.Revoke(user_id, at, keep_for_);
}

absl::Status RedisAccessTokenRevoker::RevokeSessionTokens(const std::vector<std::string>& session_ids) {
  return revocations_.RevokeSessions(session_ids, keep_for_);
}

}  // namespace zhongtai::user
