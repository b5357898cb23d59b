#include "common/http/signature.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::http {
namespace {

std::string Hex(const std::string& hex) { return absl::HexStringToBytes(hex); }

// RFC 4231 section 4: HMAC-SHA-256 test cases 1, 2, 3, 4, 6 and 7 (case 5 is about truncated output).
TEST_CASE("HMAC-SHA256 matches the RFC 4231 test vectors") {
  struct Vector {
    std::string key;
    std::string data;
    std::string mac;
  };
  std::string key131(131, '\xaa');
  std::vector<Vector> vectors = {
      {Hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {Hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {Hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {key131, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {key131,
       "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be "
       "hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Vector& v : vectors) {
    INFO(v.mac);
    CHECK(HexLower(HmacSha256(v.key, v.data)) == v.mac);
  }
}

TEST_CASE("a signature covers the timestamp and the exact body") {
  absl::Time now = absl::FromUnixSeconds(1767225600);
  std::string body = R"({"orderId":"o_1","status":"SUCCEEDED"})";
  std::string signature = SignBody("s3cret", 1767225600, body);
  CHECK(signature == HexLower(HmacSha256("s3cret", absl::StrCat("1767225600.", body))));
  CHECK(VerifySignedBody("s3cret", "1767225600", signature, body, now).ok());
  // Hex case does not matter; whitespace around header values neither.
  std::string upper = signature;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(VerifySignedBody("s3cret", " 1767225600 ", upper, body, now).ok());

  CHECK(ReasonOf(VerifySignedBody("s3cret", "1767225600", signature, body + " ", now)) == "SIGNATURE_INVALID");
  CHECK(ReasonOf(VerifySignedBody("other", "1767225600", signature, body, now)) == "SIGNATURE_INVALID");
  CHECK(ReasonOf(VerifySignedBody("s3cret", "1767225601", signature, body, now)) == "SIGNATURE_INVALID");
  CHECK(ReasonOf(VerifySignedBody("", "1767225600", SignBody("", 1767225600, body), body, now)) == "SIGNATURE_INVALID");
  CHECK(ReasonOf(VerifySignedBody("s3cret", "", signature, body, now)) == "SIGNATURE_MISSING");
  CHECK(ReasonOf(VerifySignedBody("s3cret", "1767225600", "", body, now)) == "SIGNATURE_MISSING");
  CHECK(ReasonOf(VerifySignedBody("s3cret", "yesterday", signature, body, now)) == "SIGNATURE_INVALID");
  CHECK(VerifySignedBody("s3cret", "1767225600", signature, body, now).code() == absl::StatusCode::kOk);
  CHECK(VerifySignedBody("s3cret", "1767225600", "00", body, now).code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("a signed request older or newer than five minutes is refused as expired") {
  std::string body = "{}";
  int64_t sent = 1767225600;
  std::string signature = SignBody("k", sent, body);
  absl::Time at = absl::FromUnixSeconds(sent);
  CHECK(VerifySignedBody("k", "1767225600", signature, body, at + absl::Minutes(5)).ok());
  CHECK(ReasonOf(VerifySignedBody("k", "1767225600", signature, body, at + absl::Minutes(5) + absl::Seconds(1))) ==
        "SIGNATURE_EXPIRED");
  CHECK(ReasonOf(VerifySignedBody("k", "1767225600", signature, body, at - absl::Minutes(6))) == "SIGNATURE_EXPIRED");
}

}  // namespace
}  // namespace zhongtai::http
