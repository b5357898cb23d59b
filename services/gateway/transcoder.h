// HTTP <-> proto: the caller from the Authorization header, the request message from the path, query,
// body and headers of a request, and the HTTP response (status, JSON body) from a proto message or an
// error status. No networking here.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/token.h"
#include "google/protobuf/message.h"
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

struct RequestParts {
  std::vector<PathBinding> bindings;
  absl::string_view query;  // without '?'
  absl::string_view body;
  std::string idempotency_key;  // the Idempotency-Key header; empty when absent
};

// Fills `request` (an empty message of route.method->input_type()): body JSON (body "*" routes), then
// query parameters, then path fields, then the request id field from the Idempotency-Key header (always overwritten). A
// route with a request id field and no key is INVALID_ARGUMENT reason IDEMPOTENCY_KEY_REQUIRED (field
// "Idempotency-Key"). Other errors are INVALID_ARGUMENT with reason INVALID_JSON, INVALID_QUERY_PARAMETER,
// UNKNOWN_QUERY_PARAMETER or INVALID_PATH_PARAMETER.
absl::Status BuildRequest(const Route& route, const RequestParts& parts, const Caller& caller,
                          google::protobuf::Message* request);

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// Proto3 JSON: lowerCamelCase names, int64 as strings, enums by name, fields with default values printed.
HttpResponse JsonResponse(const google::protobuf::Message& message);

// The HTTP status of a gRPC / absl code, as docs/api.md lists them.
int HttpStatusOf(absl::StatusCode code);

// {"error":{"code":..,"status":"..","reason":"..","message":"..","details":[{"field":".."}]}};
// 429 also carries Retry-After, 401 WWW-Authenticate. http_status overrides the status of the code
// when the HTTP layer knows better (405, 413).
HttpResponse ErrorResponse(const absl::Status& status, int http_status = 0);

// An upstream call's result as the client should see it: failures without a reason (transport
// errors, timeouts, crashes) get one and a message that does not leak internal addresses.
absl::Status PublicUpstreamStatus(const absl::Status& status, absl::string_view upstream);

// Random lowercase hex of `bytes` random bytes.
std::string RandomHex(int bytes);

// Request ids: a client's X-Request-Id is kept when it is 1..128 characters of [A-Za-z0-9._:-].
bool IsValidRequestId(absl::string_view id);

// W3C trace context: the traceparent to send upstream; continues the client's trace (new span id)
// when `incoming` is valid, else starts a new trace.
std::string NextTraceparent(absl::string_view incoming);
// The trace id of a valid traceparent, else empty.
std::string TraceIdOf(absl::string_view traceparent);

}  // namespace zhongtai::gateway
