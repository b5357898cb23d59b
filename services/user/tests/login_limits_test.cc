// Login limits in the domain: the bound on concurrent password hashes (real threads), equal work for
// unknown and known logins (hashes counted by a fake hasher, not timed), the password length cap, and
// the per-login throttle (on the in-memory store; the PostgreSQL one has its own store test).
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/auth/token.h"
#include "common/status/status.h"
#include "services/user/domain/accounts.h"
#include "services/user/domain/rules.h"
#include "services/user/tests/fakes.h"

namespace zhongtai::user {
namespace {

using testing::FakeClock;
using testing::FakeHasher;
using testing::InMemoryUserStore;
using testing::SequentialIds;

AccountSettings Settings() {
  AccountSettings settings = testing::TestAccountSettings();
  return settings;
}

// A hasher whose work takes a while (or until released), counting how many run at once.
class SlowHasher : public PasswordHasher {
 public:
  explicit SlowHasher(absl::Duration work) : work_(work) {}
  absl::StatusOr<std::string> Hash(const std::string& password) override {
    Run();
    return "fake$" + password;
  }
  bool Verify(const std::string& encoded_hash, const std::string& password) override {
    Run();
    return encoded_hash == "fake$" + password;
  }
  // Holds every hash until Release().
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  int peak() const { return peak_.load(); }
  int running() const { return running_.load(); }

 private:
  void Run() {
    int now = ++running_;
    int peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
    absl::SleepFor(work_);
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !held_; });
    }
    --running_;
  }
  absl::Duration work_;
  std::atomic<int> running_{0};
  std::atomic<int> peak_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
};

struct Fixture {
  explicit Fixture(PasswordHasher& hasher, AccountSettings settings = Settings())
      : accounts(store, hasher, clock, ids, settings) {
    User alice;
    alice.user_id = "u_alice";
    alice.email = "alice@example.com";
    alice.nickname = "Alice";
    alice.password_hash = "fake$right-password";
    REQUIRE(store.CreateUser(alice).ok());
  }
  InMemoryUserStore store;
  FakeClock clock;
  SequentialIds ids;
  Accounts accounts;
};

}  // namespace

TEST_CASE("no more password hashes run at once than the bound, however many logins arrive") {
  SlowHasher hasher(absl::Milliseconds(40));
  AccountSettings settings = Settings();
  settings.max_concurrent_hashes = 2;
  settings.hash_wait = absl::Seconds(30);
  settings.login_throttle.max_failures = 1000;
  Fixture f(hasher, settings);
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&, i] {
      auto result = f.accounts.Login(i % 2 ? "alice@example.com" : "bob@example.com", "wrong-password");
      if (ReasonOf(result.status()) == "INVALID_CREDENTIALS") ++refused;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(refused == 10);       // every one was checked...
  CHECK(hasher.peak() == 2);  // ...two at a time, never more
}

TEST_CASE("a login that cannot get a hash slot in time is RESOURCE_EXHAUSTED (OVERLOADED)") {
  SlowHasher hasher(absl::ZeroDuration());
  AccountSettings settings = Settings();
  settings.max_concurrent_hashes = 1;
  settings.hash_wait = absl::Milliseconds(100);
  Fixture f(hasher, settings);
  hasher.Hold();
  std::atomic<bool> first_ok{false};
  std::thread first([&] { first_ok = f.accounts.Login("alice@example.com", "right-password").ok(); });
  while (hasher.running() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  absl::Time start = absl::Now();
  auto second = f.accounts.Login("alice@example.com", "right-password");
  CHECK(second.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(ReasonOf(second.status()) == "OVERLOADED");
  CHECK(absl::Now() - start >= absl::Milliseconds(90));
  // Registration waits for the same slots.
  auto registered = f.accounts.Register({"carol@example.com", "", "s3cret-pass", "Carol"});
  CHECK(ReasonOf(registered.status()) == "OVERLOADED");
  hasher.Release();
  first.join();
  CHECK(first_ok);
  CHECK(f.accounts.Login("alice@example.com", "right-password").ok());
}

TEST_CASE("an unknown login costs one hash, exactly as a known login with a wrong password") {
  FakeHasher hasher;
  Fixture f(hasher);
  // The dummy hash is made once per process; make it before counting.
  CHECK(ReasonOf(f.accounts.Login("warm@example.com", "whatever-pass").status()) == "INVALID_CREDENTIALS");

  int before = hasher.verifies + hasher.hashes;
  auto unknown = f.accounts.Login("nobody@example.com", "wrong-password");
  int unknown_work = hasher.verifies + hasher.hashes - before;

  before = hasher.verifies + hasher.hashes;
  auto known = f.accounts.Login("alice@example.com", "wrong-password");
  int known_work = hasher.verifies + hasher.hashes - before;

  CHECK(unknown.status() == known.status());
  CHECK(ReasonOf(known.status()) == "INVALID_CREDENTIALS");
  CHECK(unknown_work == 1);
  CHECK(known_work == 1);

  // A malformed login (neither email nor phone) too.
  before = hasher.verifies + hasher.hashes;
  CHECK(ReasonOf(f.accounts.Login("not a login", "wrong-password").status()) == "INVALID_CREDENTIALS");
  CHECK(hasher.verifies + hasher.hashes - before == 1);
}

TEST_CASE("a password longer than the cap is refused without a hash, for known and unknown logins alike") {
  FakeHasher hasher;
  Fixture f(hasher);
  std::string huge(1 << 20, 'x');
  std::string just_over(kMaxPasswordBytes + 1, 'x');
  int before = hasher.verifies + hasher.hashes;
  auto known = f.accounts.Login("alice@example.com", huge);
  auto unknown = f.accounts.Login("nobody@example.com", huge);
  auto over = f.accounts.Login("alice@example.com", just_over);
  CHECK(hasher.verifies + hasher.hashes == before);
  CHECK(ReasonOf(known.status()) == "INVALID_CREDENTIALS");
  CHECK(known.status() == unknown.status());
  CHECK(ReasonOf(over.status()) == "INVALID_CREDENTIALS");
  // Registration applies the same cap (as input validation), also before any hash.
  auto registered = f.accounts.Register({"dave@example.com", "", huge, "Dave"});
  CHECK(registered.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(hasher.hashes + hasher.verifies == before);
}

TEST_CASE("five failed logins within the window lock the login, even for the right password, until the lockout ends") {
  FakeHasher hasher;
  AccountSettings settings = Settings();
  settings.login_throttle = {5, absl::Minutes(15), absl::Minutes(15)};
  Fixture f(hasher, settings);
  for (int i = 0; i < 5; ++i) {
    CHECK(ReasonOf(f.accounts.Login("Alice@Example.com", "wrong-password").status()) == "INVALID_CREDENTIALS");
    f.clock.Advance(absl::Minutes(1));
  }
  int before = hasher.verifies;
  auto locked = f.accounts.Login("alice@example.com", "right-password");
  CHECK(locked.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(ReasonOf(locked.status()) == "LOGIN_THROTTLED");
  CHECK(hasher.verifies == before);  // a locked login costs no hash

  // Locked at the fifth failure (minute 4) for 15 minutes: until minute 19; the clock is at minute 5.
  f.clock.Advance(absl::Minutes(13));
  CHECK(ReasonOf(f.accounts.Login("alice@example.com", "right-password").status()) == "LOGIN_THROTTLED");
  f.clock.Advance(absl::Minutes(1));
  CHECK(f.accounts.Login("alice@example.com", "right-password").ok());
}

TEST_CASE("failures spread over more than the window, or cleared by a success, do not lock") {
  FakeHasher hasher;
  AccountSettings settings = Settings();
  settings.login_throttle = {5, absl::Minutes(15), absl::Minutes(15)};
  Fixture f(hasher, settings);
  for (int i = 0; i < 4; ++i) CHECK_FALSE(f.accounts.Login("alice@example.com", "wrong-password").ok());
  CHECK(f.accounts.Login("alice@example.com", "right-password").ok());  // forgets the four
  for (int i = 0; i < 4; ++i) CHECK_FALSE(f.accounts.Login("alice@example.com", "wrong-password").ok());
  f.clock.Advance(absl::Minutes(16));  // a new window
  CHECK(ReasonOf(f.accounts.Login("alice@example.com", "wrong-password").status()) == "INVALID_CREDENTIALS");
  CHECK(f.accounts.Login("alice@example.com", "right-password").ok());

  // An unknown login locks the same way, so the lock does not reveal which logins exist.
  for (int i = 0; i < 5; ++i) CHECK_FALSE(f.accounts.Login("nobody@example.com", "wrong-password").ok());
  CHECK(ReasonOf(f.accounts.Login("nobody@example.com", "wrong-password").status()) == "LOGIN_THROTTLED");
}

}  // namespace zhongtai::user
