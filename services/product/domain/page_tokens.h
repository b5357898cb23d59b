// Opaque page tokens around a keyset cursor (the last id of a page, or a number). `kind` keeps a token of one list
// from being used with another. Apart from the lists that use them so that the fuzz target (tests/fuzz/) reaches the
// decoders without a store.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace zhongtai::product {

std::string EncodePageToken(const std::string& kind, const std::string& last_id);
// INVALID_ARGUMENT INVALID_PAGE_TOKEN (field pageToken) for a token no list of `kind` returned.
absl::StatusOr<std::string> DecodePageToken(const std::string& kind, const std::string& token);
// A token that carries a number >= 0 (a ledger entry id, an offset into the alerts).
absl::StatusOr<int64_t> DecodeNumberToken(const std::string& kind, const std::string& token);

}  // namespace zhongtai::product
