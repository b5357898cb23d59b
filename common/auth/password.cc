#include "common/auth/password.h"

#include <openssl/sha.h>
#include <sodium.h>

#include <mutex>
#include <string>

#include "common/status/status.h"

namespace zhongtai::auth {
namespace {

static_assert(kPasswordHashMemoryBytes == crypto_pwhash_MEMLIMIT_INTERACTIVE,
              "kPasswordHashMemoryBytes must be the memory limit HashPassword uses");

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sodium_init only fails when the system has no usable randomness source; nothing is safe then.
    if (sodium_init() < 0) std::abort();
  });
}

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // Only fails when the memory limit cannot be allocated.
    return Error(absl::StatusCode::kResourceExhausted, "PASSWORD_HASH_FAILED", "could not hash password");
  }
  return std::string(out);
}

bool VerifyPassword(absl::string_view encoded_hash, absl::string_view password) {
  EnsureSodium();
  if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string hash(encoded_hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string RandomToken(int bytes) {
  EnsureSodium();
  if (bytes <= 0) bytes = 32;
  std::string raw(static_cast<size_t>(bytes), '\0');
  randombytes_buf(raw.data(), raw.size());
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), variant);
  out.resize(out.size() - 1);  // drop the NUL that the encoded length counts
  sodium_memzero(raw.data(), raw.size());
  return out;
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

}  // namespace zhongtai::auth
