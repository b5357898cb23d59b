#include "common/http/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::http {

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string HexLower(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string SignBody(absl::string_view secret, int64_t unix_seconds, absl::string_view body) {
  return HexLower(HmacSha256(secret, absl::StrCat(unix_seconds, ".", body)));
}

absl::Status VerifySignedBody(absl::string_view secret, absl::string_view timestamp, absl::string_view signature,
                              absl::string_view body, absl::Time now, absl::Duration max_age) {
  timestamp = absl::StripAsciiWhitespace(timestamp);
  signature = absl::StripAsciiWhitespace(signature);
  if (timestamp.empty() || signature.empty()) {
    return Error(absl::StatusCode::kUnauthenticated, "SIGNATURE_MISSING",
                 absl::StrCat("a signed request needs the ", kTimestampHeader, " and ", kSignatureHeader, " headers"));
  }
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(timestamp, &seconds)) {
    return Error(absl::StatusCode::kUnauthenticated, "SIGNATURE_INVALID",
                 absl::StrCat(kTimestampHeader, " must be unix seconds"));
  }
  absl::Duration skew = absl::AbsDuration(now - absl::FromUnixSeconds(seconds));
  if (skew > max_age) {
    return Error(absl::StatusCode::kUnauthenticated, "SIGNATURE_EXPIRED",
                 "the request's timestamp is too far from now; sign it again when sending");
  }
  // Over the header exactly as received, so that the sender's way of writing the number does not matter.
  std::string expected = HexLower(HmacSha256(secret, absl::StrCat(timestamp, ".", body)));
  std::string given = absl::AsciiStrToLower(signature);
  if (secret.empty() || given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return Error(absl::StatusCode::kUnauthenticated, "SIGNATURE_INVALID", "the request's signature does not match");
  }
  return absl::OkStatus();
}

}  // namespace zhongtai::http
