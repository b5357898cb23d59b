#include "common/status/details.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace zhongtai {

absl::Status WithDetails(absl::Status status, absl::string_view json_array) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(json_array);
  if (status.ok() || !absl::StartsWith(trimmed, "[") || !absl::EndsWith(trimmed, "]")) return status;
  status.SetPayload(kDetailsPayload, absl::Cord(trimmed));
  return status;
}

std::string DetailsOf(const absl::Status& status) {
  auto payload = status.GetPayload(kDetailsPayload);
  return payload ? std::string(*payload) : std::string();
}

}  // namespace zhongtai
