// Signed access tokens: JWT with HMAC-SHA256 (HS256). The algorithm is pinned: a token whose header
// names any other algorithm (including "none") is rejected. exp, iss and aud are always checked.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zhongtai::auth {

struct TokenConfig {
  std::string secret;  // at least 32 bytes
  std::string issuer = "zhongtai-user";
  std::string audience = "zhongtai";
  absl::Duration access_ttl = absl::Minutes(15);
};

struct Claims {
  std::string subject;  // user id
  std::string role;     // "customer" or "admin"
  std::string issuer;
  std::string audience;
  absl::Time issued_at;
  absl::Time expires_at;
};

std::string SignAccessToken(const TokenConfig& config, absl::string_view subject, absl::string_view role,
                            absl::Time now);

// UNAUTHENTICATED with reason TOKEN_EXPIRED or TOKEN_INVALID when the token cannot be trusted.
absl::StatusOr<Claims> VerifyAccessToken(const TokenConfig& config, absl::string_view token, absl::Time now);

}  // namespace zhongtai::auth
