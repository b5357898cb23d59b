// The page tokens of the user service's lists, opaque to clients: the member list (registration time and user id of
// the last row), a segment's members (the last user id) and the points history (the seq of the last entry). Apart
// from the lists so that the fuzz target (tests/fuzz/) reaches the decoders without a store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "services/user/domain/segments_ports.h"

namespace zhongtai::user {

// Every decoder: INVALID_ARGUMENT PAGE_TOKEN_INVALID (field pageToken) for a token the list did not give out.

std::string EncodeMemberToken(const MemberCursor& last);
// Empty token: no cursor (the first page). The time must lie in years 1..9999, the range the store's SQL can
// compare (a number outside made the query fail: a 500 for a client's made-up token).
absl::StatusOr<std::optional<MemberCursor>> DecodeMemberToken(const std::string& token);

std::string EncodeSegmentToken(const std::string& last_user_id);
// Empty token: "" (from the start).
absl::StatusOr<std::string> DecodeSegmentToken(const std::string& token);

// The points history: 0 (the end) encodes as "".
std::string EncodePointsToken(int64_t before_seq);
// Empty token: 0 (the newest entries); otherwise a seq > 0.
absl::StatusOr<int64_t> DecodePointsToken(const std::string& token);

}  // namespace zhongtai::user
