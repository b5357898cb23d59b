// Fuzz target: the access token parser (common/auth/token.h), which every request with a bearer token reaches
// before anything is trusted. The first byte picks a mode:
//   0: the rest is a token as a client sends it (base64url parts, the header's alg/kid, the signature);
//   1: the rest is "<header JSON>\n<payload JSON>", signed here with the verifier's key, so that the claims parser
//      (FlatJson) and the claim checks behind the signature are reached too;
//   2: the rest is "<subject>\n<role>\n<session>": SignAccessToken then VerifyAccessToken must give them back;
//   3: the rest is a configured key (DecodeKey), as ZT_AUTH_PUBLIC_KEY is read.
// Besides "no crash, no UB": a token accepted carries a subject and an expiry after now, and is signed with one of
// the accepted keys (mode 0 can never be accepted: the fuzzer cannot sign).
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/auth/token.h"

namespace {

using namespace zhongtai;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "property violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}

std::string Base64Url(const std::string& data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

struct Keys {
  auth::TokenConfig config;
  std::string previous_signing_key;
  const absl::Time now = absl::FromUnixSeconds(1767225600);

  Keys() {
    if (sodium_init() < 0) Fail("sodium_init", "");
    // Fixed keys: the same input gives the same run.
    config.signing_key = std::string(32, '\x11');
    config.public_key = *auth::PublicKeyOf(config.signing_key);
    previous_signing_key = std::string(32, '\x22');
    config.previous_public_keys = {*auth::PublicKeyOf(previous_signing_key)};
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_seed_keypair(pk, current_sk, reinterpret_cast<const unsigned char*>(config.signing_key.data()));
    crypto_sign_seed_keypair(pk, previous_sk, reinterpret_cast<const unsigned char*>(previous_signing_key.data()));
  }

  // The expanded secret keys, derived once (a derivation costs as much as a signature).
  unsigned char current_sk[crypto_sign_SECRETKEYBYTES];
  unsigned char previous_sk[crypto_sign_SECRETKEYBYTES];

  std::string Sign(bool current, const std::string& header, const std::string& payload) const {
    std::string input = absl::StrCat(Base64Url(header), ".", Base64Url(payload));
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                         current ? current_sk : previous_sk);
    return absl::StrCat(input, ".", Base64Url(std::string(reinterpret_cast<char*>(signature), sizeof signature)));
  }
};

const Keys& TheKeys() {
  static const Keys* const keys = new Keys;
  return *keys;
}

void CheckAccepted(const Keys& keys, const absl::StatusOr<auth::Claims>& claims, const std::string& token) {
  if (!claims.ok()) return;
  if (claims->subject.empty()) Fail("accepted a token without a subject", token);
  if (claims->expires_at <= keys.now) Fail("accepted an expired token", token);
  if (claims->issuer != keys.config.issuer || claims->audience != keys.config.audience) {
    Fail("accepted a token of another issuer or audience", token);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Keys& keys = TheKeys();
  if (size == 0) return 0;
  int mode = data[0] % 4;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (mode) {
    case 0: {
      absl::StatusOr<auth::Claims> claims = auth::VerifyAccessToken(keys.config, rest, keys.now);
      if (claims.ok()) Fail("accepted a token the fuzzer could not have signed", rest);
      break;
    }
    case 1: {
      std::pair<std::string, std::string> parts = absl::StrSplit(rest, absl::MaxSplits('\n', 1));
      // Signed with the current key, or (odd length) with the previous one still accepted.
      std::string token = keys.Sign(rest.size() % 2 == 0, parts.first, parts.second);
      absl::StatusOr<auth::Claims> claims = auth::VerifyAccessToken(keys.config, token, keys.now);
      CheckAccepted(keys, claims, token);
      // The cache in front of it answers the same (one input in eight: a verification is the cost of a run).
      if (rest.size() % 8 == 0) {
        auth::VerifiedTokens verified(keys.config, 4);
        absl::StatusOr<auth::Claims> again = verified.Verify(token, keys.now);
        if (again.ok() != claims.ok()) Fail("VerifiedTokens disagrees with VerifyAccessToken", token);
      }
      break;
    }
    case 2: {
      std::vector<std::string> fields = absl::StrSplit(rest, absl::MaxSplits('\n', 2));
      fields.resize(3);
      std::string token = auth::SignAccessToken(keys.config, fields[0], fields[1], keys.now, fields[2]);
      absl::StatusOr<auth::Claims> claims = auth::VerifyAccessToken(keys.config, token, keys.now);
      CheckAccepted(keys, claims, token);
      // Every subject, role and session the user service can issue comes back as it was signed: ids and roles are
      // printable ASCII; other bytes may be refused but never changed.
      if (claims.ok() &&
          (claims->subject != fields[0] || claims->role != fields[1] || claims->session_id != fields[2])) {
        Fail("a signed claim came back different", token);
      }
      bool printable = !fields[0].empty();
      for (const std::string& field : fields) {
        for (char c : field) printable = printable && c >= 0x20 && c < 0x7f;
      }
      if (printable && !claims.ok()) Fail("refused a token it signed", token + "\n" + claims.status().ToString());
      break;
    }
    case 3: {
      absl::StatusOr<std::string> key = auth::DecodeKey(rest);
      if (key.ok()) {
        if (key->size() != 32) Fail("a decoded key is not 32 bytes", rest);
        absl::StatusOr<std::string> back = auth::DecodeKey(auth::EncodeKey(*key));
        if (!back.ok() || *back != *key) Fail("EncodeKey does not decode back", rest);
        auth::KeyId(*key);
      }
      break;
    }
  }
  return 0;
}
