// PATCH /v1/users/me's rules on the in-memory store: free profile fields, logins only with the current password.
#include "services/user/domain/profile.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/user/domain/accounts.h"
#include "services/user/tests/fakes.h"

namespace zhongtai::user {
namespace {

struct Fixture {
  Fixture() : accounts(store, hasher, clock, ids, testing::TestAccountSettings()) {
    auto registered = accounts.Register({"amy@example.com", "", "old-password", "Amy"});
    REQUIRE(registered.ok());
    user_id = registered->user_id;
  }
  testing::InMemoryUserStore store;
  testing::FakeHasher hasher;
  testing::FakeClock clock{absl::FromCivil(absl::CivilSecond(2026, 12, 3, 10, 0, 0), absl::UTCTimeZone())};
  testing::SequentialIds ids;
  Accounts accounts;
  std::string user_id;
};

}  // namespace

TEST_CASE("nickname, avatar, birthday and gender change without a password") {
  Fixture f;
  ProfileUpdate update;
  update.nickname = "  Amy W ";
  update.avatar_url = "https://cdn.example.com/a.png";
  update.birthday = "1990-02-28";
  update.gender = Gender::kFemale;
  auto updated = f.accounts.UpdateProfile(f.user_id, update);
  REQUIRE(updated.ok());
  CHECK(updated->nickname == "Amy W");
  User stored = *f.accounts.GetMe(f.user_id);
  CHECK(stored.avatar_url == "https://cdn.example.com/a.png");
  CHECK(stored.birthday == "1990-02-28");
  CHECK(stored.gender == Gender::kFemale);
  CHECK(stored.email == "amy@example.com");  // untouched
  // Fields left out stay; an empty avatar removes it.
  ProfileUpdate clear;
  clear.avatar_url = "";
  CHECK(f.accounts.UpdateProfile(f.user_id, clear)->birthday == "1990-02-28");
  CHECK(f.accounts.GetMe(f.user_id)->avatar_url.empty());
}

TEST_CASE("bad profile values are refused with the field") {
  const absl::Time today = absl::FromCivil(absl::CivilSecond(2026, 12, 3, 0, 0, 0), absl::UTCTimeZone());
  CHECK(CheckBirthday("2000-02-29", today).ok());
  CHECK(ReasonOf(CheckBirthday("2001-02-29", today)) == "BIRTHDAY_INVALID");
  CHECK(ReasonOf(CheckBirthday("2026-12-04", today)) == "BIRTHDAY_INVALID");
  CHECK(ReasonOf(CheckBirthday("1899-12-31", today)) == "BIRTHDAY_INVALID");
  CHECK(ReasonOf(CheckBirthday("20001-01-01", today)) == "BIRTHDAY_INVALID");
  CHECK(FieldOf(CheckAvatarUrl("http://x.example/a.png")) == "avatarUrl");
  CHECK(ReasonOf(CheckAvatarUrl("https://x.example/a b.png")) == "AVATAR_URL_INVALID");
  Fixture f;
  ProfileUpdate update;
  update.nickname = "";
  CHECK(FieldOf(f.accounts.UpdateProfile(f.user_id, update).status()) == "nickname");
}

TEST_CASE("the email and the phone change only with the current password") {
  Fixture f;
  ProfileUpdate update;
  update.email = "Amy.New@Example.com";
  CHECK(ReasonOf(f.accounts.UpdateProfile(f.user_id, update).status()) == "CURRENT_PASSWORD_REQUIRED");
  update.current_password = "wrong-password";
  auto wrong = f.accounts.UpdateProfile(f.user_id, update);
  CHECK(ReasonOf(wrong.status()) == "CURRENT_PASSWORD_WRONG");
  CHECK(FieldOf(wrong.status()) == "currentPassword");
  CHECK(f.accounts.GetMe(f.user_id)->email == "amy@example.com");
  update.current_password = "old-password";
  REQUIRE(f.accounts.UpdateProfile(f.user_id, update).ok());
  CHECK(f.accounts.Login("amy.new@example.com", "old-password").ok());
  CHECK(!f.accounts.Login("amy@example.com", "old-password").ok());

  // Removing the only login is refused; another account's email is taken.
  ProfileUpdate none;
  none.email = "";
  none.current_password = "old-password";
  CHECK(ReasonOf(f.accounts.UpdateProfile(f.user_id, none).status()) == "LOGIN_MISSING");
  REQUIRE(f.accounts.Register({"bob@example.com", "", "bob-password", "Bob"}).ok());
  ProfileUpdate taken;
  taken.email = "bob@example.com";
  taken.current_password = "old-password";
  CHECK(ReasonOf(f.accounts.UpdateProfile(f.user_id, taken).status()) == "LOGIN_TAKEN");
  // The same email again is no change and needs no password.
  ProfileUpdate same;
  same.email = "amy.new@example.com";
  CHECK(f.accounts.UpdateProfile(f.user_id, same).ok());
}

}  // namespace zhongtai::user
