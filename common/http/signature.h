// Signed HTTP requests between the suite and its partners (payment providers, warehouses, carriers, webhook
// subscribers): the sender puts the unix time in seconds in X-Zt-Timestamp and, in X-Zt-Signature, the lower-case
// hex HMAC-SHA256 of `timestamp + "." + body` under the secret both sides share. The receiver recomputes it over the
// exact bytes it received and refuses a request whose timestamp is too far from its own clock (a replay).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zhongtai::http {

inline constexpr char kTimestampHeader[] = "X-Zt-Timestamp";
inline constexpr char kSignatureHeader[] = "X-Zt-Signature";
// How far a signed request's timestamp may be from the receiver's clock, either way.
inline constexpr absl::Duration kDefaultSignatureMaxAge = absl::Minutes(5);

// HMAC-SHA256 (RFC 2104) of `data` under `key`: 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);
std::string HexLower(absl::string_view bytes);

// The X-Zt-Signature value for `body` sent at `unix_seconds`.
std::string SignBody(absl::string_view secret, int64_t unix_seconds, absl::string_view body);

// OK when `signature` is SignBody(secret, timestamp, body) and `timestamp` is within `max_age` of `now`.
// UNAUTHENTICATED with reason SIGNATURE_MISSING (a header is absent), SIGNATURE_EXPIRED (timestamp too old or too far
// ahead) or SIGNATURE_INVALID (anything else, including an empty secret: an unknown partner). Compares in constant
// time.
absl::Status VerifySignedBody(absl::string_view secret, absl::string_view timestamp, absl::string_view signature,
                              absl::string_view body, absl::Time now, absl::Duration max_age = kDefaultSignatureMaxAge);

}  // namespace zhongtai::http
