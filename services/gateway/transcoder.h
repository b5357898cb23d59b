// HTTP <-> proto: the request message from the path, query, body and headers of a request, and the JSON
// response of a proto message. No networking here; the caller is in authentication.h, errors in errors.h,
// request ids and trace context in trace_context.h.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "services/gateway/http_response.h"
#include "services/gateway/routes.h"

namespace zhongtai::gateway {

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
absl::Status BuildRequest(const Route& route, const RequestParts& parts, google::protobuf::Message* request);

// Proto3 JSON: lowerCamelCase names, int64 as strings, enums by name, fields with default values printed.
HttpResponse JsonResponse(const google::protobuf::Message& message);

// What the gateway answers for an upstream's reply: the raw body of an HttpBody response (its content type, and
// Content-Disposition: attachment when it names a file), else JsonResponse.
HttpResponse ReplyResponse(const google::protobuf::Message& message);

}  // namespace zhongtai::gateway
