#include "common/auth/token.h"

#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::auth {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(absl::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out.push_back(kBase64Url[(v >> 18) & 63]);
    out.push_back(kBase64Url[(v >> 12) & 63]);
    out.push_back(kBase64Url[(v >> 6) & 63]);
    out.push_back(kBase64Url[v & 63]);
  }
  if (i + 1 == data.size()) {
    uint32_t v = uint8_t(data[i]) << 16;
    out.push_back(kBase64Url[(v >> 18) & 63]);
    out.push_back(kBase64Url[(v >> 12) & 63]);
  } else if (i + 2 == data.size()) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    out.push_back(kBase64Url[(v >> 18) & 63]);
    out.push_back(kBase64Url[(v >> 12) & 63]);
    out.push_back(kBase64Url[(v >> 6) & 63]);
  }
  return out;
}

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Strict: unpadded, canonical base64url only.
bool Base64UrlDecode(absl::string_view in, std::string* out) {
  if (in.size() % 4 == 1) return false;
  out->clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = Base64UrlValue(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // Canonical only: the bits left over must be zero, so no two spellings decode to the same bytes.
  return (buffer & ((1u << bits) - 1)) == 0;
}

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

// The detached Ed25519 signature of `data` with the key pair derived from `seed` (32 bytes).
std::string Ed25519Sign(absl::string_view seed, absl::string_view data) {
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(public_key, secret_key, reinterpret_cast<const unsigned char*>(seed.data()));
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                       secret_key);
  sodium_memzero(secret_key, sizeof secret_key);
  return std::string(reinterpret_cast<char*>(signature), sizeof signature);
}

bool Ed25519Verify(absl::string_view public_key, absl::string_view data, absl::string_view signature) {
  return signature.size() == crypto_sign_BYTES && public_key.size() == crypto_sign_PUBLICKEYBYTES &&
         crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                                     reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

std::string JsonString(absl::string_view s) { return absl::StrCat("\"", log::JsonEscape(s), "\""); }

// A flat JSON object of strings and integers, which is all our own tokens contain. Anything else
// (nesting, arrays, floats, \u escapes beyond ASCII) makes the token untrusted.
class FlatJson {
 public:
  explicit FlatJson(absl::string_view text) : text_(text) {}

  bool Parse(std::map<std::string, std::string>* strings, std::map<std::string, int64_t>* ints) {
    SkipSpace();
    if (!Consume('{')) return false;
    SkipSpace();
    if (Consume('}')) return AtEnd();
    while (true) {
      std::string key;
      SkipSpace();
      if (!ParseString(&key)) return false;
      SkipSpace();
      if (!Consume(':')) return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '"') {
        std::string value;
        if (!ParseString(&value)) return false;
        (*strings)[key] = value;
      } else {
        int64_t value = 0;
        if (!ParseInt(&value)) return false;
        (*ints)[key] = value;
      }
      SkipSpace();
      if (Consume(',')) continue;
      if (Consume('}')) return AtEnd();
      return false;
    }
  }

 private:
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ParseString(std::string* out) {
    if (!Consume('"')) return false;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      char e = text_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return false;
          int value = 0;
          for (int i = 0; i < 4; ++i) {
            char h = text_[pos_++];
            value <<= 4;
            if (h >= '0' && h <= '9')
              value |= h - '0';
            else if (h >= 'a' && h <= 'f')
              value |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F')
              value |= h - 'A' + 10;
            else
              return false;
          }
          if (value >= 0x80) return false;
          out->push_back(static_cast<char>(value));
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  bool ParseInt(int64_t* out) {
    size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start && absl::SimpleAtoi(text_.substr(start, pos_ - start), out);
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

absl::Status Invalid() {
  return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID", "access token is not valid");
}

}  // namespace

KeyPair NewKeyPair() {
  SodiumReady();
  KeyPair pair;
  pair.signing_key.resize(kKeyBytes);
  randombytes_buf(pair.signing_key.data(), kKeyBytes);
  pair.public_key = *PublicKeyOf(pair.signing_key);
  return pair;
}

absl::StatusOr<std::string> PublicKeyOf(absl::string_view signing_key) {
  if (signing_key.size() != kKeyBytes) {
    return InvalidArgument("signing_key", "SIGNING_KEY_INVALID", "an Ed25519 signing key is a 32-byte seed");
  }
  SodiumReady();
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(public_key, secret_key, reinterpret_cast<const unsigned char*>(signing_key.data()));
  sodium_memzero(secret_key, sizeof secret_key);
  return std::string(reinterpret_cast<char*>(public_key), sizeof public_key);
}

absl::StatusOr<std::string> DecodeKey(absl::string_view base64) {
  SodiumReady();
  unsigned char key[kKeyBytes + 2];
  size_t length = 0;
  std::string text(absl::StripAsciiWhitespace(base64));
  if (sodium_base642bin(key, sizeof key, text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 &&
      sodium_base642bin(key, sizeof key, text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
    return InvalidArgument("key", "KEY_INVALID", "a key must be standard base64");
  }
  if (length != kKeyBytes) return InvalidArgument("key", "KEY_INVALID", "an Ed25519 key is 32 bytes");
  return std::string(reinterpret_cast<char*>(key), length);
}

std::string EncodeKey(absl::string_view key) {
  SodiumReady();
  std::string out(sodium_base64_encoded_len(key.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string KeyId(absl::string_view public_key) {
  SodiumReady();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(public_key.data()), public_key.size());
  constexpr size_t kIdBytes = 8;
  char hex[kIdBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, kIdBytes);
  return hex;
}

std::string SignAccessToken(const TokenConfig& config, absl::string_view subject, absl::string_view role,
                            absl::Time now, absl::string_view session_id) {
  absl::StatusOr<std::string> public_key = PublicKeyOf(config.signing_key);
  std::string header =
      absl::StrCat(R"({"alg":"EdDSA","typ":"JWT","kid":")", public_key.ok() ? KeyId(*public_key) : "", R"("})");
  const int64_t iat = absl::ToUnixSeconds(now);
  const int64_t exp = absl::ToUnixSeconds(now + config.access_ttl);
  std::string payload =
      absl::StrCat("{\"sub\":", JsonString(subject), ",\"role\":", JsonString(role),
                   ",\"iss\":", JsonString(config.issuer), ",\"aud\":", JsonString(config.audience), ",\"iat\":", iat,
                   ",\"exp\":", exp, session_id.empty() ? "" : absl::StrCat(",\"sid\":", JsonString(session_id)), "}");
  std::string signing_input = absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload));
  std::string signature = Ed25519Sign(config.signing_key, signing_input);
  return absl::StrCat(signing_input, ".", Base64UrlEncode(signature));
}

absl::StatusOr<Claims> VerifyAccessToken(const TokenConfig& config, absl::string_view token, absl::Time now) {
  if (config.public_key.size() != kKeyBytes) {
    return Internal("TOKEN_KEY_MISSING", "no public key to verify tokens with");
  }
  SodiumReady();
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) return Invalid();

  // The algorithm is pinned to EdDSA: the header must say so, whatever else it says.
  std::string header_json;
  if (!Base64UrlDecode(parts[0], &header_json)) return Invalid();
  std::map<std::string, std::string> header_strings;
  std::map<std::string, int64_t> header_ints;
  if (!FlatJson(header_json).Parse(&header_strings, &header_ints)) return Invalid();
  auto alg = header_strings.find("alg");
  if (alg == header_strings.end() || alg->second != "EdDSA") return Invalid();
  // The key the header names, among those accepted; a token without a key id predates rotation: the current key.
  const std::string* key = &config.public_key;
  if (auto kid = header_strings.find("kid"); kid != header_strings.end()) {
    key = nullptr;
    if (kid->second == KeyId(config.public_key)) key = &config.public_key;
    for (const std::string& previous : config.previous_public_keys) {
      if (key == nullptr && kid->second == KeyId(previous)) key = &previous;
    }
    if (key == nullptr) return Invalid();
  }

  std::string signature;
  if (!Base64UrlDecode(parts[2], &signature)) return Invalid();
  std::string signing_input = absl::StrCat(parts[0], ".", parts[1]);
  if (!Ed25519Verify(*key, signing_input, signature)) return Invalid();

  std::string payload_json;
  if (!Base64UrlDecode(parts[1], &payload_json)) return Invalid();
  std::map<std::string, std::string> strings;
  std::map<std::string, int64_t> ints;
  if (!FlatJson(payload_json).Parse(&strings, &ints)) return Invalid();
  auto sub = strings.find("sub");
  auto iss = strings.find("iss");
  auto aud = strings.find("aud");
  auto exp = ints.find("exp");
  auto iat = ints.find("iat");
  if (sub == strings.end() || sub->second.empty() || iss == strings.end() || aud == strings.end() ||
      exp == ints.end()) {
    return Invalid();
  }
  if (iss->second != config.issuer || aud->second != config.audience) return Invalid();
  if (absl::ToUnixSeconds(now) >= exp->second) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_EXPIRED", "access token has expired");
  }

  Claims claims;
  claims.subject = sub->second;
  auto role = strings.find("role");
  if (role != strings.end()) claims.role = role->second;
  claims.issuer = iss->second;
  claims.audience = aud->second;
  claims.issued_at = iat != ints.end() ? absl::FromUnixSeconds(iat->second) : absl::InfinitePast();
  claims.expires_at = absl::FromUnixSeconds(exp->second);
  if (auto sid = strings.find("sid"); sid != strings.end()) claims.session_id = sid->second;
  return claims;
}

VerifiedTokens::VerifiedTokens(TokenConfig config, size_t capacity) : config_(std::move(config)), capacity_(capacity) {}

absl::StatusOr<Claims> VerifiedTokens::Verify(absl::string_view token, absl::Time now) {
  std::string key(token);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = claims_.find(key);
    if (it != claims_.end()) {
      if (now < it->second.expires_at) return it->second;
      claims_.erase(it);
    }
  }
  absl::StatusOr<Claims> claims = VerifyAccessToken(config_, token, now);
  if (claims.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (claims_.size() >= capacity_) claims_.clear();
    claims_.emplace(std::move(key), *claims);
  }
  return claims;
}

}  // namespace zhongtai::auth
