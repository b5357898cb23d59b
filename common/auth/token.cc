#include "common/auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"

namespace zhongtai::auth {
namespace {

constexpr char kHeader[] = R"({"alg":"HS256","typ":"JWT"})";
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

// Strict: unpadded base64url only.
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
  return true;
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xf]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out += "\"";
  return out;
}

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
            if (h >= '0' && h <= '9') value |= h - '0';
            else if (h >= 'a' && h <= 'f') value |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') value |= h - 'A' + 10;
            else return false;
          }
          if (value >= 0x80) return false;
          out->push_back(static_cast<char>(value));
          break;
        }
        default:
          return false;
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

std::string SignAccessToken(const TokenConfig& config, absl::string_view subject, absl::string_view role,
                            absl::Time now) {
  const int64_t iat = absl::ToUnixSeconds(now);
  const int64_t exp = absl::ToUnixSeconds(now + config.access_ttl);
  std::string payload = absl::StrCat("{\"sub\":", JsonString(subject), ",\"role\":", JsonString(role),
                                     ",\"iss\":", JsonString(config.issuer), ",\"aud\":",
                                     JsonString(config.audience), ",\"iat\":", iat, ",\"exp\":", exp, "}");
  std::string signing_input = absl::StrCat(Base64UrlEncode(kHeader), ".", Base64UrlEncode(payload));
  std::string signature = HmacSha256(config.secret, signing_input);
  return absl::StrCat(signing_input, ".", Base64UrlEncode(signature));
}

absl::StatusOr<Claims> VerifyAccessToken(const TokenConfig& config, absl::string_view token, absl::Time now) {
  if (config.secret.size() < 32) {
    return Internal("TOKEN_SECRET_TOO_SHORT", "token secret must be at least 32 bytes");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) return Invalid();

  // The algorithm is pinned to HS256: the header must say so, whatever else it says.
  std::string header_json;
  if (!Base64UrlDecode(parts[0], &header_json)) return Invalid();
  std::map<std::string, std::string> header_strings;
  std::map<std::string, int64_t> header_ints;
  if (!FlatJson(header_json).Parse(&header_strings, &header_ints)) return Invalid();
  auto alg = header_strings.find("alg");
  if (alg == header_strings.end() || alg->second != "HS256") return Invalid();

  std::string signature;
  if (!Base64UrlDecode(parts[2], &signature)) return Invalid();
  std::string signing_input = absl::StrCat(parts[0], ".", parts[1]);
  std::string expected = HmacSha256(config.secret, signing_input);
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return Invalid();
  }

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
  return claims;
}

}  // namespace zhongtai::auth
