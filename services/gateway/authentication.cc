#include "services/gateway/authentication.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/status/status.h"

namespace zhongtai::gateway {
namespace {

constexpr char kBearer[] = "bearer ";

}  // namespace

absl::StatusOr<Caller> Authenticate(const Route& route, absl::string_view authorization, const TokenVerifier& verify) {
  Caller caller;
  // A partner's server proves itself by its signature (partner_signature.h), not by a user's token.
  if (route.access == Access::kPartner) return caller;
  authorization = absl::StripAsciiWhitespace(authorization);
  if (authorization.empty()) {
    if (route.access == Access::kPublic) return caller;
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING", "this route needs an access token");
  }
  absl::StatusOr<auth::Claims> claims = absl::UnauthenticatedError("not a bearer token");
  if (authorization.size() > sizeof(kBearer) - 1 && absl::StartsWithIgnoreCase(authorization, kBearer)) {
    claims = verify(absl::StripAsciiWhitespace(authorization.substr(sizeof(kBearer) - 1)));
  }
  if (!claims.ok()) {
    if (route.access == Access::kPublic) return caller;
    std::string reason = ReasonOf(claims.status());
    // An ended session is worth telling apart (sign in again); any other fault is not explained to the caller.
    if (reason == "SESSION_REVOKED") return claims.status();
    if (reason != "TOKEN_EXPIRED") reason = "TOKEN_INVALID";
    return Error(absl::StatusCode::kUnauthenticated, reason,
                 reason == "TOKEN_EXPIRED" ? "the access token has expired" : "the access token is not valid");
  }
  if (claims->subject.empty()) {
    if (route.access == Access::kPublic) return caller;
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID", "the access token is not valid");
  }
  caller.authenticated = true;
  caller.token = std::string(absl::StripAsciiWhitespace(authorization.substr(sizeof(kBearer) - 1)));
  caller.user_id = claims->subject;
  caller.role = claims->role;
  if (route.access == Access::kAdmin && caller.role != "admin") {
    return Error(absl::StatusCode::kPermissionDenied, "ADMIN_REQUIRED", "this route is for admins");
  }
  return caller;
}

}  // namespace zhongtai::gateway
