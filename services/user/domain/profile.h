// The customer's own profile (PATCH /v1/users/me): nickname, avatar, birthday and gender freely; the email and
// the phone (the logins) only with the current password.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/user/domain/model.h"

namespace zhongtai::user {

inline constexpr int kMaxAvatarUrlBytes = 512;

// Fields left unset stay as they are.
struct ProfileUpdate {
  std::optional<std::string> nickname;
  std::optional<std::string> avatar_url;  // empty removes it
  std::optional<std::string> birthday;    // "YYYY-MM-DD"; empty removes it
  std::optional<Gender> gender;
  std::optional<std::string> email;  // empty removes it (the phone must remain)
  std::optional<std::string> phone;  // empty removes it (the email must remain)
  std::string current_password;      // required when the email or the phone changes
};

// An https URL of at most kMaxAvatarUrlBytes without spaces: INVALID_ARGUMENT AVATAR_URL_INVALID.
absl::Status CheckAvatarUrl(const std::string& url);
// A real calendar date from 1900-01-01 up to `today`: INVALID_ARGUMENT BIRTHDAY_INVALID.
absl::Status CheckBirthday(const std::string& birthday, absl::Time today);

// `user` with the update applied and checked (normalised email and phone, trimmed nickname). Sets
// *logins_change when the email or phone differs from before. INVALID_ARGUMENT naming the field; LOGIN_MISSING
// when neither an email nor a phone would remain.
absl::StatusOr<User> ApplyProfileUpdate(const User& user, const ProfileUpdate& update, absl::Time now,
                                        bool* logins_change);

}  // namespace zhongtai::user
