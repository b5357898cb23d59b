// Request ids and W3C trace context at the door.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace zhongtai::gateway {

// Request ids: a client's X-Request-Id is kept when it is 1..128 characters of [A-Za-z0-9._:-].
bool IsValidRequestId(absl::string_view id);

// W3C trace context: the traceparent to send upstream; continues the client's trace (new span id)
// when `incoming` is valid, else starts a new trace.
std::string NextTraceparent(absl::string_view incoming);
// The trace id of a valid traceparent, else empty.
std::string TraceIdOf(absl::string_view traceparent);

}  // namespace zhongtai::gateway
