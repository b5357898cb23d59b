// Composition root of the user service: store, domain, admin account, API on the common start (service_start.h).
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "services/user/api/user_api.h"
#include "services/user/config.h"
#include "services/user/store/pg_user_store.h"

namespace zhongtai::user {
namespace {

class TimeOrderedIds : public IdGenerator {
 public:
  std::string NewUserId() override { return ids::NewId("u_"); }
  std::string NewSessionFamilyId() override { return ids::NewId("sf_"); }
};

int Compose(const UserConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  PgUserStore store(*service.db);
  Argon2PasswordHasher hasher;
  SystemClock clock;
  TimeOrderedIds ids;
  AccountSettings settings;
  settings.token.signing_key = config.token_signing_key;
  settings.token.public_key = runner.options().security.token_public_key;
  settings.token.access_ttl = config.access_ttl;
  settings.refresh_ttl = config.refresh_ttl;
  settings.max_concurrent_hashes = config.password_hash_concurrency;
  settings.hash_wait = config.password_hash_wait;
  settings.login_throttle.max_failures = config.login_max_failures;
  settings.login_throttle.window = config.login_failure_window;
  settings.login_throttle.lockout = config.login_lockout;
  Accounts accounts(store, hasher, clock, ids, settings);

  if (!config.admin_login.empty()) {
    if (absl::Status ensured = accounts.EnsureAdmin(config.admin_login, config.admin_password); !ensured.ok()) {
      log::Error("cannot set up the admin account", {{"error", ensured.ToString()}});
      return server::kExitCannotStart;
    }
  }

  UserApi api(accounts, runner.workers());
  runner.AddService(&api);
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::user

int main(int argc, char** argv) {
  using namespace zhongtai;
  return server::RunService<user::UserConfig>(argc, argv, {"user", user::Migrations()}, user::LoadConfig,
                                              user::Compose);
}
