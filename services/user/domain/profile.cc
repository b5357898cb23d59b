#include "services/user/domain/profile.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/status/status.h"
#include "services/user/domain/rules.h"

namespace zhongtai::user {

absl::Status CheckAvatarUrl(const std::string& url) {
  if (url.size() > static_cast<size_t>(kMaxAvatarUrlBytes) || !absl::StartsWith(url, "https://") || url.size() <= 8 ||
      std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    return InvalidArgument("avatarUrl", "AVATAR_URL_INVALID", "the avatar is an https URL of at most 512 bytes");
  }
  return absl::OkStatus();
}

absl::Status CheckBirthday(const std::string& birthday, absl::Time today) {
  absl::Status invalid = InvalidArgument("birthday", "BIRTHDAY_INVALID", "the birthday is a past date YYYY-MM-DD");
  int year = 0, month = 0, day = 0;
  if (birthday.size() != 10 || birthday[4] != '-' || birthday[7] != '-' ||
      !absl::SimpleAtoi(birthday.substr(0, 4), &year) || !absl::SimpleAtoi(birthday.substr(5, 2), &month) ||
      !absl::SimpleAtoi(birthday.substr(8, 2), &day)) {
    return invalid;
  }
  const absl::CivilDay civil(year, month, day);
  // CivilDay normalises 2023-02-30 to 2023-03-02: a real date survives unchanged.
  if (civil.year() != year || civil.month() != month || civil.day() != day || year < 1900) return invalid;
  if (civil > absl::ToCivilDay(today, absl::UTCTimeZone())) return invalid;
  return absl::OkStatus();
}

absl::StatusOr<User> ApplyProfileUpdate(const User& user, const ProfileUpdate& update, absl::Time now,
                                        bool* logins_change) {
  User out = user;
  if (update.nickname) {
    ASSIGN_OR_RETURN(out.nickname, NormalizeNickname(*update.nickname));
  }
  if (update.avatar_url) {
    if (!update.avatar_url->empty()) RETURN_IF_ERROR(CheckAvatarUrl(*update.avatar_url));
    out.avatar_url = *update.avatar_url;
  }
  if (update.birthday) {
    if (!update.birthday->empty()) RETURN_IF_ERROR(CheckBirthday(*update.birthday, now));
    out.birthday = *update.birthday;
  }
  if (update.gender) out.gender = *update.gender;
  if (update.email) {
    out.email.clear();
    if (!update.email->empty()) {
      ASSIGN_OR_RETURN(out.email, NormalizeEmail(*update.email));
    }
  }
  if (update.phone) {
    out.phone.clear();
    if (!update.phone->empty()) {
      ASSIGN_OR_RETURN(out.phone, NormalizePhone(*update.phone));
    }
  }
  if (out.email.empty() && out.phone.empty()) {
    return InvalidArgument(update.email ? "email" : "phone", "LOGIN_MISSING",
                           "an account keeps an email or a phone number");
  }
  *logins_change = out.email != user.email || out.phone != user.phone;
  return out;
}

}  // namespace zhongtai::user
