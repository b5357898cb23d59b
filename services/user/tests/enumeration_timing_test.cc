// Account enumeration by timing, with the real argon2id hasher: a login for an account that does not exist takes as
// long as a wrong password for one that does (the dummy hash), for short, maximal and over-long passwords, and a
// sign-up with a login already taken takes as long as a new one (the hash comes before the store is asked).
// Samples of the two cases are interleaved, and each side is judged by its fastest sample (load only ever adds time,
// so the minimum is the work itself; medians drifted past a 2x bound on a busy CI machine), within a generous ratio:
// a missing dummy hash makes one side about a hundred times faster, which no load hides. A sign-up with a
// taken login answers exactly as a new one, so only its timing could tell, and it does not.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "services/user/domain/accounts.h"
#include "services/user/domain/rules.h"
#include "services/user/tests/fakes.h"

namespace zhongtai::user {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSamples = 9;

double Seconds(const std::function<void()>& act) {
  Clock::time_point start = Clock::now();
  act();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Fastest(const std::vector<double>& values) { return *std::min_element(values.begin(), values.end()); }

struct Fastests {
  double a = 0;
  double b = 0;
};

// Interleaved samples of `a` and `b`, after one warm-up of each (the dummy hash is made on first use).
Fastests Compare(const std::function<void()>& a, const std::function<void()>& b) {
  a();
  b();
  std::vector<double> as;
  std::vector<double> bs;
  for (int i = 0; i < kSamples; ++i) {
    if (i % 2 == 0) {
      as.push_back(Seconds(a));
      bs.push_back(Seconds(b));
    } else {
      bs.push_back(Seconds(b));
      as.push_back(Seconds(a));
    }
  }
  return {Fastest(as), Fastest(bs)};
}

struct Fixture {
  Fixture() : accounts(store, hasher, clock, ids, Settings()) {
    RegisterCommand alice;
    alice.phone = "13800138000";
    alice.email = "alice@example.com";
    alice.password = "alice-right-password";
    alice.nickname = "alice";
    REQUIRE(accounts.Register(alice).ok());
  }
  static AccountSettings Settings() {
    AccountSettings settings = testing::TestAccountSettings();
    // Every sample is a failure: no lockout may cut one short.
    settings.login_throttle.max_failures = 100000;
    settings.hash_wait = absl::Seconds(60);
    return settings;
  }

  testing::InMemoryUserStore store;
  Argon2PasswordHasher hasher;
  FakeClock clock;
  testing::SequentialIds ids;
  Accounts accounts;
};

void CheckAlike(const Fastests& m) {
  INFO("fastest seconds: " << m.a << " vs " << m.b);
  CHECK(m.a > 0);
  CHECK(m.b > 0);
  const double ratio = m.a / m.b;
  CHECK(ratio > 1.0 / 3);
  CHECK(ratio < 3.0);
}

void CheckLoginsAlike(Fixture& f, const std::string& password) {
  Fastests m = Compare(
      [&] {
        absl::StatusOr<LoginResult> known = f.accounts.Login("13800138000", password);
        REQUIRE(known.status().code() == absl::StatusCode::kUnauthenticated);
      },
      [&] {
        absl::StatusOr<LoginResult> unknown = f.accounts.Login("13900139999", password);
        REQUIRE(unknown.status().code() == absl::StatusCode::kUnauthenticated);
      });
  CheckAlike(m);
}

TEST_CASE("a login for a missing account takes as long as a wrong password for an existing one") {
  Fixture f;
  CheckLoginsAlike(f, "wrong-password");
}

TEST_CASE("a login with the longest allowed password takes as long whether the account exists or not") {
  Fixture f;
  CheckLoginsAlike(f, std::string(kMaxPasswordBytes, 'x'));
}

TEST_CASE("an over-long password is refused without a hash, for existing and missing accounts alike") {
  Fixture f;
  const std::string password(kMaxPasswordBytes * 4, 'x');
  Fastests m = Compare([&] { REQUIRE_FALSE(f.accounts.Login("13800138000", password).ok()); },
                       [&] { REQUIRE_FALSE(f.accounts.Login("13900139999", password).ok()); });
  INFO("fastest seconds: " << m.a << " vs " << m.b);
  // No hash on either side (a hash takes tens of milliseconds), so neither can tell.
  CHECK(m.a < 0.02);
  CHECK(m.b < 0.02);
}

TEST_CASE("signing up with a phone already taken takes as long as with a new one, and answers the same") {
  Fixture f;
  int next = 0;
  Fastests m = Compare(
      [&] {
        RegisterCommand taken;
        taken.phone = "13800138000";
        taken.password = std::string(200, 'p');
        taken.nickname = "someone";
        absl::StatusOr<SignUpReceipt> receipt = f.accounts.SignUp(taken);
        REQUIRE(receipt.ok());
        REQUIRE(receipt->phone == "13800138000");
      },
      [&] {
        RegisterCommand fresh;
        fresh.phone = "1370013" + std::to_string(1000 + ++next);
        fresh.password = std::string(200, 'p');
        fresh.nickname = "someone";
        absl::StatusOr<SignUpReceipt> receipt = f.accounts.SignUp(fresh);
        REQUIRE(receipt.ok());
        REQUIRE(receipt->phone == fresh.phone);
      });
  CheckAlike(m);
}

}  // namespace
}  // namespace zhongtai::user
