// Structured error details beyond the reason and field: a JSON array of objects that a service attaches to a
// status (e.g. every forbidden word a listing uses) and that reaches the client unchanged, in gRPC as the
// binary trailer zt-error-details-bin and over HTTP appended to the error body's "details".
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhongtai {

inline constexpr char kDetailsPayload[] = "zhongtai.details";

// `status` with `json_array` (e.g. [{"word":"最佳"}]) attached; anything that is not a JSON array
// ('[' ... ']') is left off.
absl::Status WithDetails(absl::Status status, absl::string_view json_array);

// The attached JSON array, empty when none.
std::string DetailsOf(const absl::Status& status);

}  // namespace zhongtai
