// A customer's privacy rights end to end through the gateway: the data export gathers the account's data from the
// running services and only its owner downloads it; erasure needs the password, ends the sessions and frees the
// logins, and the account's access tokens stop at once; registration never tells whether a login has an account.
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/e2e/http_client.h"

namespace zhongtai::e2e {
namespace {

std::string Unique(const std::string& prefix) {
  static const std::string run = std::to_string(std::random_device{}());
  static int counter = 0;
  return absl::StrCat(prefix, run, ++counter);
}

struct Customer {
  std::string phone;
  std::string email;
  std::string token;
};

class PrivacyStack {
 public:
  HttpResponse Send(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& token, bool keyed = false) {
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + token}};
    if (keyed) headers["Idempotency-Key"] = Unique("key-");
    return client_.Send(method, path, body, headers);
  }
  std::string Login(const std::string& login, const std::string& password, int* status = nullptr) {
    return SignIn(login, password, status).Str("tokens.accessToken");
  }
  HttpResponse SignIn(const std::string& login, const std::string& password, int* status = nullptr) {
    auto response = client_.Send("POST", "/v1/sessions",
                                 absl::StrCat(R"({"login":")", login, R"(","password":")", password, R"("})"));
    if (status) *status = response.status;
    return response;
  }
  HttpResponse RegisterWith(const std::string& phone, const std::string& email, const std::string& password) {
    return client_.Send("POST", "/v1/users",
                        absl::StrCat(R"({"phone":")", phone, R"(","email":")", email, R"(","password":")", password,
                                     R"(","nickname":"隐私测试"})"));
  }
  int Register(const std::string& phone, const std::string& email) {
    return RegisterWith(phone, email, "s3cret-pass").status;
  }
  Customer NewCustomer() {
    Customer customer;
    static std::mt19937 random{std::random_device{}()};
    customer.phone = absl::StrCat("139", 10000000 + random() % 90000000);
    customer.email = Unique("privacy") + "@example.com";
    REQUIRE(Register(customer.phone, customer.email) == 200);
    customer.token = Login(customer.email, "s3cret-pass");
    REQUIRE_FALSE(customer.token.empty());
    return customer;
  }

 private:
  std::map<std::string, std::string> env_ = LoadStackEnv();
  HttpClient client_{env_.at("ZT_STACK_GATEWAY")};
};

TEST_CASE("e2e: a customer exports their data, only they can download it, then erases the account") {
  PrivacyStack stack;
  Customer alice = stack.NewCustomer();
  Customer bob = stack.NewCustomer();
  auto address = stack.Send("POST", "/v1/users/me/addresses",
                            R"({"address":{"recipientName":"王小明","recipientPhone":"13911112222",)"
                            R"("provinceCode":"310000","cityCode":"310100","districtCode":"310115",)"
                            R"("detail":"世纪大道100号"}})",
                            alice.token, true);
  INFO(address.body);
  REQUIRE(address.status == 200);
  // What Alice did in the app while signed in: the data hub keeps it, and her export carries it.
  const std::string view_id = Unique("view-");
  const std::string search_id = Unique("search-");
  char now[32];
  const std::time_t t = std::time(nullptr) - 60;
  std::strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  auto tracked = stack.Send("POST", "/v1/events",
                            absl::StrCat(R"({"events":[{"eventId":")", view_id, R"(","type":"view","occurTime":")", now,
                                         R"(","deviceId":"dev-alice","channel":"app","productId":"p_tea"},)",
                                         R"({"eventId":")", search_id, R"(","type":"search","occurTime":")", now,
                                         R"(","deviceId":"dev-alice","channel":"app","query":"龙井"}]})"),
                            alice.token);
  INFO(tracked.body);
  REQUIRE(tracked.status == 200);

  auto requested = stack.Send("POST", "/v1/users/me:export", "{}", alice.token, true);
  INFO(requested.body);
  REQUIRE(requested.status == 200);
  const std::string export_id = requested.Str("dataExport.exportId");
  REQUIRE_FALSE(export_id.empty());

  HttpResponse ready;
  for (int attempt = 0; attempt < 100; ++attempt) {
    ready = stack.Send("GET", "/v1/users/me/exports/" + export_id, "", alice.token);
    if (ready.Str("dataExport.state") != "DATA_EXPORT_STATE_PENDING") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  INFO(ready.body);
  REQUIRE(ready.status == 200);
  CHECK(ready.Str("dataExport.state") == "DATA_EXPORT_STATE_READY");
  CHECK(ready.Str("archive.profile.phone") == alice.phone);
  CHECK(ready.body.find("世纪大道100号") != std::string::npos);
  CHECK(ready.body.find(view_id) != std::string::npos);
  CHECK(ready.body.find(search_id) != std::string::npos);
  CHECK(ready.body.find("龙井") != std::string::npos);
  CHECK(ready.Str("archive.behaviourEventCount") == "2");
  CHECK(ready.body.find(R"("behaviourEventsTruncated":false)") != std::string::npos);  // all of them

  auto theirs = stack.Send("GET", "/v1/users/me/exports/" + export_id, "", bob.token);
  CHECK(theirs.status == 404);
  CHECK(theirs.Str("error.reason") == "DATA_EXPORT_NOT_FOUND");

  auto without_password = stack.Send("DELETE", "/v1/users/me", "{}", alice.token);
  CHECK(without_password.status == 400);
  CHECK(without_password.Str("error.reason") == "CURRENT_PASSWORD_REQUIRED");

  auto erased = stack.Send("DELETE", "/v1/users/me", R"({"currentPassword":"s3cret-pass"})", alice.token);
  INFO(erased.body);
  REQUIRE(erased.status == 200);
  int status = 0;
  CHECK(stack.Login(alice.phone, "s3cret-pass", &status).empty());
  CHECK(status == 401);
  // The access token that worked a moment ago is refused at once, not when it expires.
  auto after = stack.Send("GET", "/v1/users/me", "", alice.token);
  CHECK(after.status == 401);
  CHECK(after.Str("error.reason") == "TOKEN_INVALID");
  // The phone and the email are free for a new account.
  CHECK(stack.Register(alice.phone, alice.email) == 200);
}

TEST_CASE("e2e: registering a login that has an account answers as a new registration and changes nothing") {
  PrivacyStack stack;
  Customer carol = stack.NewCustomer();
  const std::string fresh_phone = absl::StrCat("137", 10000000 + std::random_device{}() % 90000000);
  auto fresh = stack.RegisterWith(fresh_phone, Unique("fresh") + "@example.com", "fresh-pass-1");
  auto taken = stack.RegisterWith(carol.phone, carol.email, "other-pass-1");
  INFO(fresh.body << " / " << taken.body);
  CHECK(fresh.status == 200);
  CHECK(taken.status == 200);
  CHECK(taken.Str("email") == carol.email);
  CHECK(taken.Str("phone") == carol.phone);
  CHECK(taken.body.find("userId") == std::string::npos);
  CHECK(fresh.body.find("userId") == std::string::npos);
  // The owner keeps their password; the one sent with the second registration opens nothing.
  CHECK_FALSE(stack.Login(carol.email, "s3cret-pass").empty());
  int status = 0;
  CHECK(stack.Login(carol.email, "other-pass-1", &status).empty());
  CHECK(status == 401);
  CHECK_FALSE(stack.Login(fresh_phone, "fresh-pass-1").empty());
}

TEST_CASE("e2e: logout and a password change stop the ended sessions' access tokens at once") {
  PrivacyStack stack;
  Customer dave = stack.NewCustomer();  // one session: dave.token
  HttpResponse phone = stack.SignIn(dave.email, "s3cret-pass");
  HttpResponse laptop = stack.SignIn(dave.email, "s3cret-pass");
  REQUIRE(phone.status == 200);
  REQUIRE(laptop.status == 200);
  const std::string phone_token = phone.Str("tokens.accessToken");
  const std::string laptop_token = laptop.Str("tokens.accessToken");
  REQUIRE(stack.Send("GET", "/v1/users/me", "", phone_token).status == 200);

  // Logout on the phone: its access token is refused at once; the laptop's still works.
  auto logout =
      stack.Send("DELETE", "/v1/sessions/current",
                 absl::StrCat(R"({"refreshToken":")", phone.Str("tokens.refreshToken"), R"("})"), phone_token);
  INFO(logout.body);
  REQUIRE(logout.status == 200);
  auto after_logout = stack.Send("GET", "/v1/users/me", "", phone_token);
  CHECK(after_logout.status == 401);
  CHECK(after_logout.Str("error.reason") == "SESSION_REVOKED");
  CHECK(stack.Send("GET", "/v1/users/me", "", laptop_token).status == 200);

  // A password change on the laptop ends every session: the laptop's and the first one's tokens are refused at once.
  auto changed = stack.Send("POST", "/v1/users/me:changePassword",
                            R"({"currentPassword":"s3cret-pass","newPassword":"n3w-secret-pass"})", laptop_token);
  INFO(changed.body);
  REQUIRE(changed.status == 200);
  for (const std::string& old_token : {laptop_token, dave.token}) {
    auto refused = stack.Send("GET", "/v1/users/me", "", old_token);
    CHECK(refused.status == 401);
    CHECK(refused.Str("error.reason") == "SESSION_REVOKED");
  }
  // Signing in again at once (the same second as the change) gives a token that works.
  const std::string fresh = stack.Login(dave.email, "n3w-secret-pass");
  REQUIRE_FALSE(fresh.empty());
  CHECK(stack.Send("GET", "/v1/users/me", "", fresh).status == 200);
}

}  // namespace
}  // namespace zhongtai::e2e
