#include "services/user/domain/rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

int Utf8Chars(const std::string& s) {
  int chars = 0;
  for (unsigned char c : s) {
    if ((c & 0xc0) != 0x80) ++chars;
  }
  return chars;
}

}  // namespace

absl::StatusOr<std::string> NormalizeEmail(const std::string& email) {
  std::string out = absl::AsciiStrToLower(absl::StripAsciiWhitespace(email));
  size_t at = out.find('@');
  bool ok = out.size() <= 254 && at != std::string::npos && at > 0 && at + 1 < out.size() &&
            out.find('@', at + 1) == std::string::npos && out.find('.', at) != std::string::npos && out.back() != '.';
  for (unsigned char c : out) {
    if (c <= ' ' || c == 0x7f) ok = false;
  }
  if (!ok) return InvalidArgument("email", "EMAIL_INVALID", "email address is not valid");
  return out;
}

absl::StatusOr<std::string> NormalizePhone(const std::string& phone) {
  std::string out;
  for (char c : phone) {
    if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '\t') continue;
    out.push_back(c);
  }
  size_t digits_from = !out.empty() && out[0] == '+' ? 1 : 0;
  size_t digits = out.size() - digits_from;
  bool ok = digits >= 5 && digits <= 20;
  for (size_t i = digits_from; i < out.size(); ++i) {
    if (out[i] < '0' || out[i] > '9') ok = false;
  }
  if (!ok) return InvalidArgument("phone", "PHONE_INVALID", "phone number is not valid");
  return out;
}

std::string NormalizeLogin(const std::string& login) {
  absl::StatusOr<std::string> normalised =
      absl::StrContains(login, "@") ? NormalizeEmail(login) : NormalizePhone(login);
  return normalised.ok() ? *normalised : std::string();
}

absl::Status CheckPassword(const std::string& password) {
  if (Utf8Chars(password) < kMinPasswordChars) {
    return InvalidArgument("password", "PASSWORD_TOO_SHORT",
                           absl::StrCat("password must have at least ", kMinPasswordChars, " characters"));
  }
  if (password.size() > static_cast<size_t>(kMaxPasswordBytes)) {
    return InvalidArgument("password", "PASSWORD_TOO_LONG",
                           absl::StrCat("password must have at most ", kMaxPasswordBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeNickname(const std::string& nickname) {
  std::string out(absl::StripAsciiWhitespace(nickname));
  if (out.empty()) return InvalidArgument("nickname", "NICKNAME_MISSING", "nickname is required");
  if (Utf8Chars(out) > kMaxNicknameChars) {
    return InvalidArgument("nickname", "NICKNAME_TOO_LONG",
                           absl::StrCat("nickname must have at most ", kMaxNicknameChars, " characters"));
  }
  for (unsigned char c : out) {
    if (c < ' ' || c == 0x7f) return InvalidArgument("nickname", "NICKNAME_INVALID", "nickname has control characters");
  }
  return out;
}

}  // namespace zhongtai::user
