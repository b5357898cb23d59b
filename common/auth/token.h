// Signed access tokens: JWT signed with Ed25519 (EdDSA). Only the user service, which issues tokens, holds the
// signing key; the gateway and every service hold the public key, so they can verify a token but never mint one.
// The algorithm is pinned: a token whose header names any other algorithm (including "none" and HS256) is
// rejected. exp, iss and aud are always checked.
//
// Key rotation: a token's header names its key ("kid", derived from the public key). Verifiers accept the current
// public key and any previous ones still listed, so the signing key can change while the tokens it signed earlier
// live out their 15 minutes; then the old public key is dropped.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zhongtai::auth {

// Ed25519 keys as raw bytes: the 32-byte seed of a signing key, the 32-byte public key.
struct KeyPair {
  std::string signing_key;
  std::string public_key;
};

// A new random key pair (tests and key generation).
KeyPair NewKeyPair();

// The public key of a signing key seed; INVALID_ARGUMENT unless it is 32 bytes.
absl::StatusOr<std::string> PublicKeyOf(absl::string_view signing_key);

// Standard base64 (with or without padding) of a 32-byte key, as keys are written in configuration.
absl::StatusOr<std::string> DecodeKey(absl::string_view base64);
std::string EncodeKey(absl::string_view key);

// The key id a token signed with this public key carries: the first 8 bytes of its SHA-256, in hex.
std::string KeyId(absl::string_view public_key);

struct TokenConfig {
  std::string signing_key;                        // 32-byte Ed25519 seed; only where tokens are issued
  std::string public_key;                         // 32-byte Ed25519 public key; everywhere tokens are verified
  std::vector<std::string> previous_public_keys;  // still accepted during a key rotation
  std::string issuer = "zhongtai-user";
  std::string audience = "zhongtai";
  absl::Duration access_ttl = absl::Minutes(15);
};

struct Claims {
  std::string subject;  // user id
  std::string role;     // "customer" or "admin"
  std::string issuer;
  std::string audience;
  absl::Time issued_at;
  absl::Time expires_at;
  // The session (sign-in) the token was issued for: its refresh-token family id, the same across refreshes ("sid").
  // Empty for tokens issued without one. Revoking the session revokes its access tokens (token_revocations.h).
  std::string session_id;
};

// `session_id`, when not empty, becomes the token's "sid" claim.
std::string SignAccessToken(const TokenConfig& config, absl::string_view subject, absl::string_view role,
                            absl::Time now, absl::string_view session_id = "");

// UNAUTHENTICATED with reason TOKEN_EXPIRED or TOKEN_INVALID when the token cannot be trusted.
absl::StatusOr<Claims> VerifyAccessToken(const TokenConfig& config, absl::string_view token, absl::Time now);

// Tokens verified before, until they expire: a user's token reaches the gateway and every service on each
// call (about five times per order), and an Ed25519 verification costs ~0.15 ms of CPU on a small machine.
// Only the exact bytes that verified are trusted again. Bounded: when full, it starts over. Thread-safe.
class VerifiedTokens {
 public:
  explicit VerifiedTokens(TokenConfig config, size_t capacity = 10000);
  absl::StatusOr<Claims> Verify(absl::string_view token, absl::Time now);

 private:
  const TokenConfig config_;
  const size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Claims> claims_;  // guarded by mu_
};

}  // namespace zhongtai::auth
