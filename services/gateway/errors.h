// Errors as channel apps see them: the HTTP status of each code, the JSON error body, and upstream failures
// told without internal detail.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/gateway/http_response.h"

namespace zhongtai::gateway {

// The HTTP status of a gRPC / absl code, as docs/api.md lists them.
int HttpStatusOf(absl::StatusCode code);

// {"error":{"code":..,"status":"..","reason":"..","message":"..","details":[{"field":".."}]}};
// 429 also carries Retry-After, 401 WWW-Authenticate. http_status overrides the status of the code
// when the HTTP layer knows better (405, 413).
HttpResponse ErrorResponse(const absl::Status& status, int http_status = 0);

// An upstream call's result as the client should see it: failures without a reason (transport
// errors, timeouts, crashes) get one and a message that does not leak internal addresses.
absl::Status PublicUpstreamStatus(const absl::Status& status, absl::string_view upstream);

}  // namespace zhongtai::gateway
