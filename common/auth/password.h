// Password hashing with argon2id (libsodium) and opaque random tokens.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhongtai::auth {

// An encoded argon2id hash ("$argon2id$v=19$m=...") that carries its own salt and parameters.
absl::StatusOr<std::string> HashPassword(absl::string_view password);
bool VerifyPassword(absl::string_view encoded_hash, absl::string_view password);

// `bytes` random bytes, base64url without padding (for refresh tokens).
std::string RandomToken(int bytes = 32);
// Lower-case hex SHA-256, for storing refresh tokens without keeping them.
std::string Sha256Hex(absl::string_view data);

}  // namespace zhongtai::auth
