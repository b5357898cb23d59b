#include "common/auth/token.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"

namespace {

using zhongtai::auth::SignAccessToken;
using zhongtai::auth::TokenConfig;
using zhongtai::auth::VerifyAccessToken;

TokenConfig Config() {
  static const zhongtai::auth::KeyPair keys = zhongtai::auth::NewKeyPair();
  TokenConfig config;
  config.signing_key = keys.signing_key;
  config.public_key = keys.public_key;
  return config;
}

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::string B64(const std::string& in) {
  static const char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  int bits = 0;
  unsigned buffer = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(k[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(k[(buffer << (6 - bits)) & 63]);
  return out;
}

std::string Part(const std::string& token, int i) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  return parts.at(i);
}

void RequireInvalid(const absl::StatusOr<zhongtai::auth::Claims>& result) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(zhongtai::ReasonOf(result.status()) == "TOKEN_INVALID");
}

}  // namespace

TEST_CASE("a signed token verifies and carries its claims") {
  std::string token = SignAccessToken(Config(), "u_123", "admin", kNow);
  CHECK(std::count(token.begin(), token.end(), '.') == 2);
  auto claims = VerifyAccessToken(Config(), token, kNow + absl::Minutes(1));
  REQUIRE(claims.ok());
  CHECK(claims->subject == "u_123");
  CHECK(claims->role == "admin");
  CHECK(claims->issuer == "zhongtai-user");
  CHECK(claims->audience == "zhongtai");
  CHECK(claims->issued_at == kNow);
  CHECK(claims->expires_at == kNow + absl::Minutes(15));
}

TEST_CASE("a subject with quotes survives the round trip") {
  std::string token = SignAccessToken(Config(), "u_\"x\\y", "customer", kNow);
  auto claims = VerifyAccessToken(Config(), token, kNow);
  REQUIRE(claims.ok());
  CHECK(claims->subject == "u_\"x\\y");
}

TEST_CASE("a tampered payload is rejected") {
  std::string token = SignAccessToken(Config(), "u_123", "customer", kNow);
  std::string forged_payload =
      B64(absl::StrCat(R"({"sub":"u_123","role":"admin","iss":"zhongtai-user","aud":"zhongtai","iat":)",
                       absl::ToUnixSeconds(kNow), R"(,"exp":)", absl::ToUnixSeconds(kNow) + 900, "}"));
  RequireInvalid(
      VerifyAccessToken(Config(), absl::StrCat(Part(token, 0), ".", forged_payload, ".", Part(token, 2)), kNow));
}

TEST_CASE("a token signed with another key is rejected") {
  TokenConfig other = Config();
  other.signing_key = zhongtai::auth::NewKeyPair().signing_key;
  RequireInvalid(VerifyAccessToken(Config(), SignAccessToken(other, "u_1", "customer", kNow), kNow));
}

TEST_CASE("a holder of the public key alone cannot mint a token") {
  // HS256 with the public key as the HMAC secret is the classic algorithm-confusion forgery.
  std::string token = SignAccessToken(Config(), "u_123", "customer", kNow);
  RequireInvalid(VerifyAccessToken(
      Config(), absl::StrCat(B64(R"({"alg":"HS256","typ":"JWT"})"), ".", Part(token, 1), ".", Part(token, 2)), kNow));
  TokenConfig verifier_only = Config();
  verifier_only.signing_key.clear();
  CHECK(zhongtai::auth::PublicKeyOf(verifier_only.signing_key).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("keys round-trip through their configuration form") {
  zhongtai::auth::KeyPair keys = zhongtai::auth::NewKeyPair();
  auto decoded = zhongtai::auth::DecodeKey(zhongtai::auth::EncodeKey(keys.public_key));
  REQUIRE(decoded.ok());
  CHECK(*decoded == keys.public_key);
  CHECK(*zhongtai::auth::PublicKeyOf(keys.signing_key) == keys.public_key);
  CHECK_FALSE(zhongtai::auth::DecodeKey("not base64!").ok());
  CHECK_FALSE(zhongtai::auth::DecodeKey(zhongtai::auth::EncodeKey("short")).ok());
}

TEST_CASE("alg none and other algorithms are rejected") {
  std::string token = SignAccessToken(Config(), "u_123", "admin", kNow);
  std::string payload = Part(token, 1);
  RequireInvalid(
      VerifyAccessToken(Config(), absl::StrCat(B64(R"({"alg":"none","typ":"JWT"})"), ".", payload, "."), kNow));
  RequireInvalid(VerifyAccessToken(
      Config(), absl::StrCat(B64(R"({"alg":"none","typ":"JWT"})"), ".", payload, ".", Part(token, 2)), kNow));
  RequireInvalid(VerifyAccessToken(
      Config(), absl::StrCat(B64(R"({"alg":"HS512","typ":"JWT"})"), ".", payload, ".", Part(token, 2)), kNow));
}

TEST_CASE("an expired token says so") {
  std::string token = SignAccessToken(Config(), "u_123", "customer", kNow);
  auto result = VerifyAccessToken(Config(), token, kNow + absl::Minutes(15));
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(zhongtai::ReasonOf(result.status()) == "TOKEN_EXPIRED");
  CHECK(VerifyAccessToken(Config(), token, kNow + absl::Minutes(15) - absl::Seconds(1)).ok());
}

TEST_CASE("wrong audience or issuer is rejected") {
  TokenConfig other = Config();
  other.audience = "somebody-else";
  RequireInvalid(VerifyAccessToken(Config(), SignAccessToken(other, "u_1", "customer", kNow), kNow));
  other = Config();
  other.issuer = "evil";
  RequireInvalid(VerifyAccessToken(Config(), SignAccessToken(other, "u_1", "customer", kNow), kNow));
}

TEST_CASE("a token has one spelling: a signature with its unused bits changed is rejected") {
  std::string token = SignAccessToken(Config(), "u_123", "customer", kNow);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // A 64-byte signature is 86 characters; the last one carries 2 bits of it and 4 unused ones.
  int value = static_cast<int>(alphabet.find(token.back()));
  std::string respelled = token;
  respelled.back() = alphabet[value ^ 1];
  RequireInvalid(VerifyAccessToken(Config(), respelled, kNow));
}

TEST_CASE("garbage is rejected") {
  for (const char* token : {"", "a.b", "a.b.c.d", "...", "abc.def.ghi", "!!.??.**"}) {
    RequireInvalid(VerifyAccessToken(Config(), token, kNow));
  }
}

TEST_CASE("a missing public key is a configuration error, not a token error") {
  TokenConfig unconfigured = Config();
  unconfigured.public_key.clear();
  auto result = VerifyAccessToken(unconfigured, SignAccessToken(Config(), "u", "customer", kNow), kNow);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kInternal);
}

TEST_CASE("verified tokens are remembered until they expire, and only the exact token") {
  zhongtai::auth::VerifiedTokens verified(Config(), 2);
  std::string token = SignAccessToken(Config(), "u_1", "customer", kNow);
  REQUIRE(verified.Verify(token, kNow).ok());
  CHECK(verified.Verify(token, kNow + absl::Minutes(1))->subject == "u_1");
  CHECK(zhongtai::ReasonOf(verified.Verify(token, kNow + absl::Minutes(15)).status()) == "TOKEN_EXPIRED");
  std::string tampered = token;
  size_t middle = token.find('.') + 5;  // inside the payload
  tampered[middle] = tampered[middle] == 'A' ? 'B' : 'A';
  RequireInvalid(verified.Verify(tampered, kNow));
  for (int i = 0; i < 5; ++i) {  // past its capacity it still answers right
    CHECK(verified.Verify(SignAccessToken(Config(), absl::StrCat("u_", i), "customer", kNow), kNow)->subject ==
          absl::StrCat("u_", i));
  }
}

namespace {

std::string HeaderOf(const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string json;
  // The header is plain ASCII JSON; decode base64url by hand (the test must not trust the code under test).
  static const std::string k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned buffer = 0;
  int bits = 0;
  for (char c : parts[0]) {
    buffer = (buffer << 6) | static_cast<unsigned>(k.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      json.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return json;
}

}  // namespace

TEST_CASE("a token names its signing key, and a rotated-out key is accepted only while it is still listed") {
  zhongtai::auth::KeyPair old_keys = zhongtai::auth::NewKeyPair();
  zhongtai::auth::KeyPair new_keys = zhongtai::auth::NewKeyPair();
  TokenConfig before;
  before.signing_key = old_keys.signing_key;
  before.public_key = old_keys.public_key;
  std::string old_token = SignAccessToken(before, "u_1", "customer", kNow);
  CHECK(HeaderOf(old_token).find("\"kid\":\"" + zhongtai::auth::KeyId(old_keys.public_key) + "\"") !=
        std::string::npos);

  // Mid-rotation: the user service signs with the new key; verifiers list the new key first and the old one after.
  TokenConfig during;
  during.signing_key = new_keys.signing_key;
  during.public_key = new_keys.public_key;
  during.previous_public_keys = {old_keys.public_key};
  std::string new_token = SignAccessToken(during, "u_2", "customer", kNow);
  CHECK(VerifyAccessToken(during, old_token, kNow).ok());
  CHECK(VerifyAccessToken(during, new_token, kNow).ok());
  CHECK(zhongtai::auth::KeyId(old_keys.public_key) != zhongtai::auth::KeyId(new_keys.public_key));

  // After the old tokens expired the old key is dropped: its tokens no longer verify, the new ones do.
  TokenConfig after = during;
  after.previous_public_keys.clear();
  absl::StatusOr<zhongtai::auth::Claims> rejected = VerifyAccessToken(after, old_token, kNow);
  REQUIRE_FALSE(rejected.ok());
  CHECK(zhongtai::ReasonOf(rejected.status()) == "TOKEN_INVALID");
  CHECK(VerifyAccessToken(after, new_token, kNow).ok());

  // A token that names one key but was signed with another is refused.
  TokenConfig impostor = during;
  impostor.signing_key = zhongtai::auth::NewKeyPair().signing_key;
  std::string forged = SignAccessToken(impostor, "u_3", "admin", kNow);
  std::vector<std::string> forged_parts = absl::StrSplit(forged, '.');
  std::vector<std::string> good_parts = absl::StrSplit(new_token, '.');
  std::string swapped = absl::StrCat(good_parts[0], ".", forged_parts[1], ".", forged_parts[2]);
  CHECK_FALSE(VerifyAccessToken(during, swapped, kNow).ok());
}

TEST_CASE("a token carries its session id when it has one, and none otherwise") {
  TokenConfig config = Config();
  auto with = VerifyAccessToken(config, SignAccessToken(config, "u-1", "customer", kNow, "family-7"), kNow);
  REQUIRE(with.ok());
  CHECK(with->session_id == "family-7");
  CHECK(with->subject == "u-1");
  auto without = VerifyAccessToken(config, SignAccessToken(config, "u-1", "customer", kNow), kNow);
  REQUIRE(without.ok());
  CHECK(without->session_id.empty());
}
