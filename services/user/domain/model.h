// The user center's plain data: accounts and refresh sessions.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace zhongtai::user {

enum class Role { kCustomer, kAdmin };

// "customer" / "admin": the role claim in access tokens.
const char* RoleName(Role role);

enum class Gender { kUnspecified, kFemale, kMale, kOther };

struct User {
  std::string user_id;
  std::string email;  // normalised lower-case; empty when registered by phone only
  std::string phone;  // normalised digits with optional leading '+'; empty when none
  std::string nickname;
  Role role = Role::kCustomer;
  std::string password_hash;  // argon2id encoded string; never leaves the service
  absl::Time created_at;
  // Profile.
  std::string avatar_url;  // https; empty when none
  std::string birthday;    // "YYYY-MM-DD"; empty when not given
  Gender gender = Gender::kUnspecified;
};

// A refresh session. Only the SHA-256 of the refresh token is kept. Each rotation revokes the
// presented session and starts a new one in the same family; presenting a revoked token again
// revokes the whole family (the token was stolen or replayed).
struct RefreshSession {
  std::string token_hash;
  std::string user_id;
  std::string family_id;
  absl::Time created_at;
  absl::Time expires_at;
  // When the family's first session began (login): no rotation outlives AccountSettings::session_max_lifetime.
  absl::Time family_started_at;
};

// What a client gets after login or refresh.
struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;
  absl::Time access_expires_at;
  absl::Duration access_ttl;
};

}  // namespace zhongtai::user
