// AccessTokenRevoker over Redis (common/auth/token_revocations.h): the record the gateway checks on every signed-in
// request, kept as long as an access token lives.
#pragma once

#include "common/auth/token_revocations.h"
#include "common/redis/redis.h"
#include "services/user/domain/ports.h"

namespace zhongtai::user {

class RedisAccessTokenRevoker : public AccessTokenRevoker {
 public:
  // `access_ttl`: the lifetime of the access tokens this service issues.
  RedisAccessTokenRevoker(redis::Pool& pool, absl::Duration access_ttl);

  absl::Status RevokeAccessTokens(const std::string& user_id, absl::Time at) override;
  absl::Status RevokeSessionTokens(const std::vector<std::string>& session_ids) override;

 private:
  auth::RedisTokenRevocations revocations_;
  absl::Duration keep_for_;
};

}  // namespace zhongtai::user
