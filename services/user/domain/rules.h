// Input rules for accounts. Errors are INVALID_ARGUMENT with the request field (proto JSON name).
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace zhongtai::user {

inline constexpr int kMinPasswordChars = 8;
inline constexpr int kMaxPasswordBytes = 256;
inline constexpr int kMaxNicknameChars = 64;

// Trimmed and lower-cased; must look like local@domain.
absl::StatusOr<std::string> NormalizeEmail(const std::string& email);
// Spaces, dashes and parentheses dropped; then an optional '+' and 5 to 20 digits.
absl::StatusOr<std::string> NormalizePhone(const std::string& phone);
// A login is an email when it contains '@', otherwise a phone. Returns the normalised form, or an
// empty string when it cannot be a valid login (which then matches no account).
std::string NormalizeLogin(const std::string& login);
absl::Status CheckPassword(const std::string& password);
absl::StatusOr<std::string> NormalizeNickname(const std::string& nickname);

}  // namespace zhongtai::user
