// Every error reason a client can meet, with its gRPC status and what the client should do about it.
// docs/api.md prints this table (api_doc.cc); tests/contracts/error_reasons_test.py fails when a reason
// used in common/ or services/ is missing here, or a reason here is no longer used, so a new reason
// cannot ship undocumented.
#pragma once

#include <vector>

#include "absl/status/status.h"

namespace zhongtai::gateway {

struct ErrorReason {
  const char* reason;                   // UPPER_SNAKE, as in the error body's "reason"
  std::vector<absl::StatusCode> codes;  // the codes it comes with (usually one)
  int http_status;                      // 0: HttpStatusOf(code); else what the HTTP layer answers (405, 413, 431)
  const char* where;                    // who raises it: gateway, product, order, ..., or any (common code)
  const char* action;                   // what a client should do
};

// Sorted by reason.
const std::vector<ErrorReason>& ErrorReasons();

}  // namespace zhongtai::gateway
