#include "services/user/domain/accounts.h"

#include <catch2/catch.hpp>

#include "common/auth/password.h"
#include "common/auth/token.h"
#include "common/status/status.h"
#include "services/user/domain/rules.h"
#include "services/user/tests/fakes.h"

namespace zhongtai::user {
namespace {

using testing::FakeClock;
using testing::FakeHasher;
using testing::InMemoryUserStore;
using testing::SequentialIds;

struct Fixture {
  Fixture() : accounts(store, hasher, clock, ids, Settings()) {}
  static AccountSettings Settings() {
    AccountSettings settings = testing::TestAccountSettings();
    settings.refresh_ttl = absl::Hours(24);
    return settings;
  }
  User MustRegister(const std::string& email, const std::string& password = "s3cret-pass") {
    auto user = accounts.Register({email, "", password, "Nick"});
    REQUIRE(user.ok());
    return *user;
  }

  InMemoryUserStore store;
  FakeHasher hasher;
  FakeClock clock;
  SequentialIds ids;
  Accounts accounts;
};

void RequireError(const absl::Status& status, absl::StatusCode code, const std::string& reason,
                  const std::string& field = "") {
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == code);
  CHECK(ReasonOf(status) == reason);
  CHECK(FieldOf(status) == field);
}

}  // namespace

TEST_CASE("register normalises the login and stores only a hash") {
  Fixture f;
  auto user = f.accounts.Register({"  Alice@Example.COM ", "", "s3cret-pass", " Alice "});
  REQUIRE(user.ok());
  CHECK(user->email == "alice@example.com");
  CHECK(user->nickname == "Alice");
  CHECK(user->role == Role::kCustomer);
  CHECK(user->created_at == f.clock.Now());
  auto stored = f.store.FindById(user->user_id);
  REQUIRE(stored.ok());
  CHECK(stored->password_hash != "s3cret-pass");
  CHECK(f.hasher.Verify(stored->password_hash, "s3cret-pass"));
}

TEST_CASE("register by phone") {
  Fixture f;
  auto user = f.accounts.Register({"", "+86 138-0013-8000", "s3cret-pass", "P"});
  REQUIRE(user.ok());
  CHECK(user->phone == "+8613800138000");
  CHECK(user->email.empty());
  CHECK(f.accounts.Login("+8613800138000", "s3cret-pass").ok());
}

TEST_CASE("register rejects bad input with the field") {
  Fixture f;
  RequireError(f.accounts.Register({"", "", "s3cret-pass", "N"}).status(), absl::StatusCode::kInvalidArgument,
               "LOGIN_MISSING", "email");
  RequireError(f.accounts.Register({"not-an-email", "", "s3cret-pass", "N"}).status(),
               absl::StatusCode::kInvalidArgument, "EMAIL_INVALID", "email");
  RequireError(f.accounts.Register({"", "12ab", "s3cret-pass", "N"}).status(), absl::StatusCode::kInvalidArgument,
               "PHONE_INVALID", "phone");
  RequireError(f.accounts.Register({"a@b.cn", "", "1234567", "N"}).status(), absl::StatusCode::kInvalidArgument,
               "PASSWORD_TOO_SHORT", "password");
  RequireError(f.accounts.Register({"a@b.cn", "", "s3cret-pass", "  "}).status(), absl::StatusCode::kInvalidArgument,
               "NICKNAME_MISSING", "nickname");
  // Eight characters, counted as characters rather than bytes.
  CHECK(f.accounts.Register({"a@b.cn", "", "密码密码密码密码", "N"}).ok());
}

TEST_CASE("a login is taken whatever its case") {
  Fixture f;
  f.MustRegister("bob@example.com");
  RequireError(f.accounts.Register({"BOB@example.com", "", "another-pass", "B2"}).status(),
               absl::StatusCode::kAlreadyExists, "LOGIN_TAKEN");
}

TEST_CASE("signing up with a taken login answers as a new sign-up and leaves the account as it was") {
  Fixture f;
  User bob = f.MustRegister("bob@example.com");
  absl::StatusOr<SignUpReceipt> fresh = f.accounts.SignUp({" Ann@Example.com", "+86 138-0013-8000", "ann-pass-1", "A"});
  absl::StatusOr<SignUpReceipt> taken = f.accounts.SignUp({"BOB@example.com", "", "another-pass", "B2"});
  REQUIRE(fresh.ok());
  REQUIRE(taken.ok());
  CHECK(fresh->email == "ann@example.com");
  CHECK(fresh->phone == "+8613800138000");
  CHECK(taken->email == "bob@example.com");
  CHECK(taken->phone.empty());
  // The owner still signs in with their own password, never with the one of the second sign-up.
  absl::StatusOr<LoginResult> owner = f.accounts.Login("bob@example.com", "s3cret-pass");
  REQUIRE(owner.ok());
  CHECK(owner->user.user_id == bob.user_id);
  CHECK(owner->user.nickname == bob.nickname);
  CHECK(ReasonOf(f.accounts.Login("bob@example.com", "another-pass").status()) == "INVALID_CREDENTIALS");
  // A new account signs in at once, by either login.
  CHECK(f.accounts.Login("+8613800138000", "ann-pass-1").ok());
  CHECK(f.accounts.Login("ann@example.com", "ann-pass-1").ok());
  // Bad input is refused alike for taken and free logins (checked before anything is looked up).
  CHECK(ReasonOf(f.accounts.SignUp({"bob@example.com", "", "short", "B"}).status()) == "PASSWORD_TOO_SHORT");
  CHECK(ReasonOf(f.accounts.SignUp({"new@example.com", "", "short", "B"}).status()) == "PASSWORD_TOO_SHORT");
}

TEST_CASE("the owner of a taken login is notified of a sign-up attempt, at most once an hour per account") {
  Fixture f;
  User bob = f.MustRegister("bob@example.com");
  auto carol = f.accounts.Register({"", "+86 139-0000-0001", "s3cret-pass", "Carol"});
  REQUIRE(carol.ok());
  using Notice = std::pair<std::string, std::string>;
  REQUIRE(f.accounts.SignUp({"new@example.com", "", "some-password", "N"}).ok());
  CHECK(f.store.sent_notices.empty());  // a free login: nobody to tell
  REQUIRE(f.accounts.SignUp({"BOB@example.com", "", "another-pass", "B2"}).ok());
  CHECK(f.store.sent_notices == std::vector<Notice>{{bob.user_id, "email"}});
  f.clock.Advance(absl::Minutes(59));
  REQUIRE(f.accounts.SignUp({"bob@example.com", "", "another-pass", "B2"}).ok());
  CHECK(f.store.sent_notices.size() == 1);  // within the hour: no second notice
  f.clock.Advance(absl::Minutes(1));
  // Email of one account and phone of another: both are told, each with its channel.
  REQUIRE(f.accounts.SignUp({"bob@example.com", "+86 139 0000 0001", "another-pass", "B2"}).ok());
  CHECK(f.store.sent_notices ==
        std::vector<Notice>{{bob.user_id, "email"}, {bob.user_id, "email"}, {carol->user_id, "phone"}});
  // Bad input notifies nobody.
  f.clock.Advance(absl::Hours(2));
  REQUIRE_FALSE(f.accounts.SignUp({"bob@example.com", "", "short", "B"}).ok());
  CHECK(f.store.sent_notices.size() == 3);
}

TEST_CASE("login issues a verifiable access token and a refresh token") {
  Fixture f;
  User bob = f.MustRegister("bob@example.com");
  auto result = f.accounts.Login("Bob@Example.com", "s3cret-pass");
  REQUIRE(result.ok());
  CHECK(result->user.user_id == bob.user_id);
  CHECK(result->tokens.access_ttl == absl::Minutes(15));
  CHECK(result->tokens.access_expires_at == f.clock.Now() + absl::Minutes(15));
  auto claims = auth::VerifyAccessToken(Fixture::Settings().token, result->tokens.access_token, f.clock.Now());
  REQUIRE(claims.ok());
  CHECK(claims->subject == bob.user_id);
  CHECK(claims->role == "customer");
  CHECK_FALSE(result->tokens.refresh_token.empty());
  // Only the hash of the refresh token is stored.
  CHECK(f.store.has_session_hash(auth::Sha256Hex(result->tokens.refresh_token)));
  CHECK_FALSE(f.store.has_session_hash(result->tokens.refresh_token));
}

TEST_CASE("unknown login and wrong password get the same answer after the same work") {
  Fixture f;
  f.MustRegister("bob@example.com");
  auto wrong = f.accounts.Login("bob@example.com", "wrong-password");
  auto unknown = f.accounts.Login("nobody@example.com", "wrong-password");
  auto garbage = f.accounts.Login("", "");
  RequireError(wrong.status(), absl::StatusCode::kUnauthenticated, "INVALID_CREDENTIALS");
  RequireError(unknown.status(), absl::StatusCode::kUnauthenticated, "INVALID_CREDENTIALS");
  RequireError(garbage.status(), absl::StatusCode::kUnauthenticated, "INVALID_CREDENTIALS");
  CHECK(wrong.status().message() == unknown.status().message());
  CHECK(f.hasher.verifies == 3);
}

TEST_CASE("refresh rotates: the old refresh token stops working") {
  Fixture f;
  f.MustRegister("bob@example.com");
  auto login = f.accounts.Login("bob@example.com", "s3cret-pass");
  REQUIRE(login.ok());
  f.clock.Advance(absl::Minutes(20));
  auto refreshed = f.accounts.Refresh(login->tokens.refresh_token);
  REQUIRE(refreshed.ok());
  CHECK(refreshed->refresh_token != login->tokens.refresh_token);
  CHECK(auth::VerifyAccessToken(Fixture::Settings().token, refreshed->access_token, f.clock.Now()).ok());

  auto again = f.accounts.Refresh(login->tokens.refresh_token);
  RequireError(again.status(), absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_INVALID");
  // Replaying a used token revokes the family: the newest token is dead too.
  RequireError(f.accounts.Refresh(refreshed->refresh_token).status(), absl::StatusCode::kUnauthenticated,
               "REFRESH_TOKEN_INVALID");
  CHECK(f.store.live_sessions() == 0);
}

TEST_CASE("refresh tokens expire and unknown ones are rejected") {
  Fixture f;
  f.MustRegister("bob@example.com");
  auto login = f.accounts.Login("bob@example.com", "s3cret-pass");
  REQUIRE(login.ok());
  RequireError(f.accounts.Refresh("not-a-token").status(), absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_INVALID");
  RequireError(f.accounts.Refresh("").status(), absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_INVALID");
  f.clock.Advance(absl::Hours(24));
  RequireError(f.accounts.Refresh(login->tokens.refresh_token).status(), absl::StatusCode::kUnauthenticated,
               "REFRESH_TOKEN_EXPIRED");
}

TEST_CASE("get me returns the profile and role") {
  Fixture f;
  User bob = f.MustRegister("bob@example.com");
  auto me = f.accounts.GetMe(bob.user_id);
  REQUIRE(me.ok());
  CHECK(me->email == "bob@example.com");
  CHECK(me->nickname == "Nick");
  CHECK(me->role == Role::kCustomer);
  RequireError(f.accounts.GetMe("u_missing").status(), absl::StatusCode::kNotFound, "USER_NOT_FOUND");
  RequireError(f.accounts.GetMe("").status(), absl::StatusCode::kInvalidArgument, "USER_ID_MISSING", "userId");
}

TEST_CASE("ensure admin is idempotent and follows the configured password") {
  Fixture f;
  REQUIRE(f.accounts.EnsureAdmin("Admin@Zhongtai.local", "admin-pass-1").ok());
  REQUIRE(f.accounts.EnsureAdmin("admin@zhongtai.local", "admin-pass-1").ok());
  auto admin = f.store.FindByLogin("admin@zhongtai.local");
  REQUIRE(admin.ok());
  CHECK(admin->role == Role::kAdmin);
  int hashes = f.hasher.hashes;
  REQUIRE(f.accounts.EnsureAdmin("admin@zhongtai.local", "admin-pass-1").ok());
  CHECK(f.hasher.hashes == hashes);  // nothing to change, nothing rewritten

  auto login = f.accounts.Login("admin@zhongtai.local", "admin-pass-1");
  REQUIRE(login.ok());
  auto claims = auth::VerifyAccessToken(Fixture::Settings().token, login->tokens.access_token, f.clock.Now());
  REQUIRE(claims.ok());
  CHECK(claims->role == "admin");

  REQUIRE(f.accounts.EnsureAdmin("admin@zhongtai.local", "admin-pass-2").ok());
  CHECK_FALSE(f.accounts.Login("admin@zhongtai.local", "admin-pass-1").ok());
  CHECK(f.accounts.Login("admin@zhongtai.local", "admin-pass-2").ok());
  CHECK(f.accounts.GetMe(admin->user_id)->role == Role::kAdmin);
}

TEST_CASE("the real argon2id hasher verifies what it hashed") {
  Argon2PasswordHasher hasher;
  auto hash = hasher.Hash("s3cret-pass");
  REQUIRE(hash.ok());
  CHECK(hash->rfind("$argon2id$", 0) == 0);
  CHECK(hasher.Verify(*hash, "s3cret-pass"));
  CHECK_FALSE(hasher.Verify(*hash, "s3cret-pasS"));
}

TEST_CASE("the admin bootstrap never promotes a customer") {
  Fixture f;
  REQUIRE(f.accounts.Register({"boss@example.com", "", "customer-pass", "Boss"}).ok());
  absl::Status refused = f.accounts.EnsureAdmin("boss@example.com", "admin-pass-1");
  CHECK(refused.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(refused) == "ADMIN_LOGIN_IS_CUSTOMER");
  auto customer = f.store.FindByLogin("boss@example.com");
  REQUIRE(customer.ok());
  CHECK(customer->role == Role::kCustomer);
  CHECK(f.accounts.Login("boss@example.com", "customer-pass").ok());
}

TEST_CASE("a new admin password ends the admin's sessions") {
  Fixture f;
  REQUIRE(f.accounts.EnsureAdmin("admin@zhongtai.local", "admin-pass-1").ok());
  auto login = f.accounts.Login("admin@zhongtai.local", "admin-pass-1");
  REQUIRE(login.ok());
  REQUIRE(f.accounts.EnsureAdmin("admin@zhongtai.local", "admin-pass-2").ok());
  CHECK(ReasonOf(f.accounts.Refresh(login->tokens.refresh_token).status()) == "REFRESH_TOKEN_INVALID");
}

TEST_CASE("a session ends at its absolute lifetime however often it is refreshed") {
  testing::InMemoryUserStore store;
  testing::FakeHasher hasher;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  AccountSettings settings = testing::TestAccountSettings();
  settings.refresh_ttl = absl::Hours(24);
  settings.session_max_lifetime = absl::Hours(72);
  Accounts accounts(store, hasher, clock, ids, settings);
  REQUIRE(accounts.Register({"eve@example.com", "", "eve-password", "Eve"}).ok());
  auto login = accounts.Login("eve@example.com", "eve-password");
  REQUIRE(login.ok());
  std::string refresh = login->tokens.refresh_token;
  for (int day = 0; day < 2; ++day) {
    clock.Advance(absl::Hours(23));
    auto refreshed = accounts.Refresh(refresh);
    REQUIRE(refreshed.ok());
    refresh = refreshed->refresh_token;
  }
  clock.Advance(absl::Hours(23));  // 69 hours after the login: still within
  auto third = accounts.Refresh(refresh);
  REQUIRE(third.ok());
  clock.Advance(absl::Hours(4));  // 73 hours: over, though this token is 4 hours old
  auto over = accounts.Refresh(third->refresh_token);
  CHECK(over.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(ReasonOf(over.status()) == "REFRESH_TOKEN_EXPIRED");
}

TEST_CASE("logout ends that session only, a password change ends them all") {
  Fixture f;
  User user = f.MustRegister("max@example.com", "first-password");
  auto phone = f.accounts.Login("max@example.com", "first-password");
  auto laptop = f.accounts.Login("max@example.com", "first-password");
  REQUIRE(phone.ok());
  REQUIRE(laptop.ok());
  // Another user's logout with this token changes nothing.
  REQUIRE(f.accounts.Logout("someone-else", phone->tokens.refresh_token).ok());
  auto still = f.accounts.Refresh(phone->tokens.refresh_token);
  REQUIRE(still.ok());
  REQUIRE(f.accounts.Logout(user.user_id, still->refresh_token).ok());
  REQUIRE(f.accounts.Logout(user.user_id, still->refresh_token).ok());  // again: still fine
  CHECK(ReasonOf(f.accounts.Refresh(still->refresh_token).status()) == "REFRESH_TOKEN_INVALID");
  auto laptop_next = f.accounts.Refresh(laptop->tokens.refresh_token);
  REQUIRE(laptop_next.ok());

  CHECK(ReasonOf(f.accounts.ChangePassword(user.user_id, "wrong-password", "second-password")) ==
        "CURRENT_PASSWORD_WRONG");
  absl::Status short_password = f.accounts.ChangePassword(user.user_id, "first-password", "short");
  CHECK(ReasonOf(short_password) == "PASSWORD_TOO_SHORT");
  CHECK(FieldOf(short_password) == "newPassword");
  REQUIRE(f.accounts.ChangePassword(user.user_id, "first-password", "second-password").ok());
  CHECK(ReasonOf(f.accounts.Refresh(laptop_next->refresh_token).status()) == "REFRESH_TOKEN_INVALID");
  CHECK(!f.accounts.Login("max@example.com", "first-password").ok());
  CHECK(f.accounts.Login("max@example.com", "second-password").ok());
}

}  // namespace zhongtai::user

namespace zhongtai::user {
namespace {

std::string SessionOf(Clock& clock, const std::string& access_token) {
  auto claims = auth::VerifyAccessToken(testing::TestAccountSettings().token, access_token, clock.Now());
  REQUIRE(claims.ok());
  return claims->session_id;
}

}  // namespace

TEST_CASE("access tokens name their session, the same across refreshes, and ended sessions' tokens are revoked") {
  InMemoryUserStore store;
  FakeHasher hasher;
  FakeClock clock;
  SequentialIds ids;
  testing::RecordingTokenRevoker revoker;
  Accounts accounts(store, hasher, clock, ids, testing::TestAccountSettings(), &revoker);
  REQUIRE(accounts.Register({"sid@example.com", "", "first-password", "Sid"}).ok());
  auto phone = accounts.Login("sid@example.com", "first-password");
  auto laptop = accounts.Login("sid@example.com", "first-password");
  REQUIRE(phone.ok());
  REQUIRE(laptop.ok());
  const std::string phone_session = SessionOf(clock, phone->tokens.access_token);
  const std::string laptop_session = SessionOf(clock, laptop->tokens.access_token);
  CHECK_FALSE(phone_session.empty());
  CHECK(phone_session != laptop_session);
  auto phone_next = accounts.Refresh(phone->tokens.refresh_token);
  REQUIRE(phone_next.ok());
  CHECK(SessionOf(clock, phone_next->access_token) == phone_session);

  // Logout revokes that session's access tokens only; a logout with someone else's token revokes nothing.
  REQUIRE(accounts.Logout("someone-else", laptop->tokens.refresh_token).ok());
  CHECK(revoker.revoked_sessions().empty());
  REQUIRE(accounts.Logout(phone->user.user_id, phone_next->refresh_token).ok());
  CHECK(revoker.revoked_sessions() == std::set<std::string>{phone_session});

  // Redis down: logout says so (the refresh token is ended anyway) and a retry revokes the access tokens.
  revoker.fail = true;
  CHECK(ReasonOf(accounts.Logout(phone->user.user_id, laptop->tokens.refresh_token)) == "SESSION_REVOCATION_FAILED");
  // A password change revokes nothing and changes nothing while the access tokens cannot be revoked.
  CHECK(ReasonOf(accounts.ChangePassword(phone->user.user_id, "first-password", "second-password")) ==
        "SESSION_REVOCATION_FAILED");
  CHECK(accounts.Login("sid@example.com", "first-password").ok());
  revoker.fail = false;
  REQUIRE(accounts.Logout(phone->user.user_id, laptop->tokens.refresh_token).ok());
  CHECK(revoker.revoked_sessions().count(laptop_session) == 1);

  // A password change revokes every session that may hold a live access token.
  auto tablet = accounts.Login("sid@example.com", "first-password");
  REQUIRE(tablet.ok());
  REQUIRE(accounts.ChangePassword(phone->user.user_id, "first-password", "second-password").ok());
  CHECK(revoker.revoked_sessions().count(SessionOf(clock, tablet->tokens.access_token)) == 1);
  // A new sign-in after the change is a new session, not revoked.
  auto after = accounts.Login("sid@example.com", "second-password");
  REQUIRE(after.ok());
  CHECK(revoker.revoked_sessions().count(SessionOf(clock, after->tokens.access_token)) == 0);
}

TEST_CASE("an admin sets a role: every session of the account ends, access tokens included") {
  InMemoryUserStore store;
  FakeHasher hasher;
  FakeClock clock;
  SequentialIds ids;
  testing::RecordingTokenRevoker revoker;
  Accounts accounts(store, hasher, clock, ids, testing::TestAccountSettings(), &revoker);
  REQUIRE(accounts.EnsureAdmin("root@example.com", "admin-password").ok());
  auto root = accounts.Login("root@example.com", "admin-password");
  REQUIRE(root.ok());
  auto registered = accounts.Register({"cat@example.com", "", "cat-password", "Cat"});
  REQUIRE(registered.ok());
  const std::string cat = registered->user_id;
  auto phone = accounts.Login("cat@example.com", "cat-password");
  REQUIRE(phone.ok());
  const std::string phone_session = SessionOf(clock, phone->tokens.access_token);

  // Bad input, with the field, and nothing changes.
  absl::Status unknown = accounts.SetRole(root->user.user_id, cat, "superuser").status();
  CHECK(unknown.code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(unknown) == "ROLE_UNKNOWN");
  CHECK(FieldOf(unknown) == "role");
  CHECK(ReasonOf(accounts.SetRole(root->user.user_id, "", "admin").status()) == "USER_ID_MISSING");
  CHECK(accounts.SetRole(root->user.user_id, "u_nobody", "admin").status().code() == absl::StatusCode::kNotFound);
  // An admin never changes their own role.
  absl::Status own = accounts.SetRole(root->user.user_id, root->user.user_id, "customer").status();
  CHECK(own.code() == absl::StatusCode::kPermissionDenied);
  CHECK(ReasonOf(own) == "OWN_ROLE_CHANGE_FORBIDDEN");
  CHECK(revoker.revoked_sessions().empty());
  CHECK(store.role_changes.empty());

  // Redis down: nothing changes, and the same request works once it is back.
  revoker.fail = true;
  CHECK(ReasonOf(accounts.SetRole(root->user.user_id, cat, "admin").status()) == "SESSION_REVOCATION_FAILED");
  CHECK(store.FindById(cat)->role == Role::kCustomer);
  const int live_before = store.live_sessions();
  revoker.fail = false;
  CHECK(store.live_sessions() == live_before);

  auto promoted = accounts.SetRole(root->user.user_id, cat, "admin");
  REQUIRE(promoted.ok());
  CHECK(promoted->sessions_ended);
  CHECK(promoted->user.role == Role::kAdmin);
  CHECK(store.FindById(cat)->role == Role::kAdmin);
  CHECK(revoker.revoked_sessions().count(phone_session) == 1);
  CHECK(revoker.revoked_sessions().count(SessionOf(clock, root->tokens.access_token)) == 0);
  // The refresh token ended too.
  CHECK(ReasonOf(accounts.Refresh(phone->tokens.refresh_token).status()) == "REFRESH_TOKEN_INVALID");
  CHECK(accounts.Refresh(root->tokens.refresh_token).ok());
  REQUIRE(store.role_changes.size() == 1);
  CHECK(store.role_changes[0].from == Role::kCustomer);
  CHECK(store.role_changes[0].to == Role::kAdmin);
  CHECK(store.role_changes[0].changed_by == root->user.user_id);
  // The role it has already: nothing ends, nothing is recorded.
  auto again = accounts.SetRole(root->user.user_id, cat, "admin");
  REQUIRE(again.ok());
  CHECK_FALSE(again->sessions_ended);
  CHECK(store.role_changes.size() == 1);
  // The next sign-in carries the new role.
  auto as_admin = accounts.Login("cat@example.com", "cat-password");
  REQUIRE(as_admin.ok());
  auto claims =
      auth::VerifyAccessToken(testing::TestAccountSettings().token, as_admin->tokens.access_token, clock.Now());
  REQUIRE(claims.ok());
  CHECK(claims->role == "admin");

  // Two admins: one may demote the other, then the last one stays.
  REQUIRE(accounts.SetRole(cat, root->user.user_id, "customer").ok());
  absl::Status last = accounts.SetRole(root->user.user_id, cat, "customer").status();
  CHECK(last.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(last) == "LAST_ADMIN");
  CHECK(store.FindById(cat)->role == Role::kAdmin);
  // The refused demotion ended none of the last admin's sessions.
  CHECK(revoker.revoked_sessions().count(SessionOf(clock, as_admin->tokens.access_token)) == 0);
  CHECK(accounts.Refresh(as_admin->tokens.refresh_token).ok());
}

}  // namespace zhongtai::user
