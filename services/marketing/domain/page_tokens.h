// Page tokens of the marketing lists (promotions "p1:", experiments "e1:"): the last id seen, wrapped so that
// clients treat it as opaque; the prefix keeps one list's token from another list. Apart from the lists so that the
// fuzz target (tests/fuzz/) reaches the decoder without a store.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhongtai::marketing {

inline constexpr char kPromotionTokenPrefix[] = "p1:";
inline constexpr char kExperimentTokenPrefix[] = "e1:";

std::string EncodeIdToken(absl::string_view prefix, const std::string& last_id);
// The id; INVALID_ARGUMENT PAGE_TOKEN_INVALID (field pageToken) unless the token is `prefix` and a non-empty id.
absl::StatusOr<std::string> DecodeIdToken(absl::string_view prefix, const std::string& token);

}  // namespace zhongtai::marketing
