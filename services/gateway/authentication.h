// Who calls a route: the caller from the Authorization header, checked against the route's access.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/token.h"
#include "services/gateway/routes.h"

namespace zhongtai::gateway {

// Verifies a bearer token (auth::VerifyAccessToken with the user service's public key in production).
using TokenVerifier = std::function<absl::StatusOr<auth::Claims>(absl::string_view token)>;

struct Caller {
  bool authenticated = false;
  std::string user_id;
  std::string role;
  // The verified access token, forwarded to the upstream, which verifies it again: a service never trusts a
  // user id it cannot check.
  std::string token;
};

// The caller of `route` from the Authorization header value (empty when absent).
// Customer and admin routes: 401 UNAUTHENTICATED reason TOKEN_MISSING / TOKEN_EXPIRED / TOKEN_INVALID,
// admin routes 403 PERMISSION_DENIED reason ADMIN_REQUIRED for a non-admin. Public routes read a token
// when it is valid and otherwise serve the caller anonymously (an app refreshing its expired session
// still sends the expired token).
absl::StatusOr<Caller> Authenticate(const Route& route, absl::string_view authorization, const TokenVerifier& verify);

}  // namespace zhongtai::gateway
