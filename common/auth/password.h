// Password hashing with argon2id (libsodium) and opaque random tokens.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhongtai::auth {

// Memory one argon2id hash or verify holds while it runs (libsodium's MEMLIMIT_INTERACTIVE, what HashPassword
// uses; a stored hash carries its own parameters, and every hash here is made with these). Deployments size
// memory limits with it (k8s/base/user.yaml; tests/contracts checks it).
inline constexpr size_t kPasswordHashMemoryBytes = 64 << 20;

// An encoded argon2id hash ("$argon2id$v=19$m=...") that carries its own salt and parameters.
absl::StatusOr<std::string> HashPassword(absl::string_view password);
bool VerifyPassword(absl::string_view encoded_hash, absl::string_view password);

// `bytes` random bytes, base64url without padding (for refresh tokens).
std::string RandomToken(int bytes = 32);
// Lower-case hex SHA-256, for storing refresh tokens without keeping them.
std::string Sha256Hex(absl::string_view data);

}  // namespace zhongtai::auth
