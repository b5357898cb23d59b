// Direct calls on the services' own gRPC ports of the running stack, as an intruder on the network would make
// them: without a certificate, with a customer's token, with another service's certificate, without TLS at all.
// Each must be refused; the same call with the right certificate gets past the door (and fails on its empty
// request instead), so the refusals are about identity, not about a broken port.
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <future>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "tests/e2e/http_client.h"

namespace zhongtai::e2e {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Target {
  const char* service;  // whose port
  const char* method;
  const char* wrong_service;  // a real certificate of the suite that may not call it
};

const Target kTargets[] = {
    {"product", "/zhongtai.product.v1.ProductService/AdjustStock", "datahub"},
    {"product", "/zhongtai.product.v1.ProductService/ReserveStock", "datahub"},
    {"marketing", "/zhongtai.marketing.v1.MarketingService/CreatePromotion", "order"},
    {"datahub", "/zhongtai.datahub.v1.DatahubService/GetDashboard", "user"},
};

class Direct {
 public:
  Direct() : env_(LoadStackEnv()), tls_(env_.at("ZT_STACK_TLS")) { REQUIRE_FALSE(tls_.empty()); }

  // as: "" for no client certificate, "plaintext" for no TLS, else the service whose certificate to present.
  grpc::Status Call(const Target& target, const std::string& as, const std::string& user_token = "") {
    std::string address = env_.at(absl::StrCat("ZT_STACK_", Upper(target.service), "_GRPC"));
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    grpc::ChannelArguments args;
    if (as == "plaintext") {
      credentials = grpc::InsecureChannelCredentials();
    } else {
      grpc::SslCredentialsOptions options;
      options.pem_root_certs = ReadFile(tls_ + "/ca.crt");
      if (!as.empty()) {
        options.pem_private_key = ReadFile(absl::StrCat(tls_, "/", as, "/tls.key"));
        options.pem_cert_chain = ReadFile(absl::StrCat(tls_, "/", as, "/tls.crt"));
      }
      credentials = grpc::SslCredentials(options);
      args.SetSslTargetNameOverride(target.service);
    }
    grpc::GenericStub stub(grpc::CreateCustomChannel(address, credentials, args));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (!user_token.empty()) context.AddMetadata("x-zt-user-token", user_token);
    grpc::Slice empty("");  // an empty request message
    grpc::ByteBuffer request(&empty, 1), response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, target.method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(status); });
    return done.get_future().get();
  }

  std::string CustomerToken() {
    HttpClient client(env_.at("ZT_STACK_GATEWAY"));
    std::string email = absl::StrCat("direct", std::random_device{}(), "@example.com");
    std::string body = absl::StrCat(R"({"email":")", email, R"(","password":"s3cret-pass","nickname":"d"})");
    REQUIRE(client.Send("POST", "/v1/users", body).status == 200);
    auto login =
        client.Send("POST", "/v1/sessions", absl::StrCat(R"({"login":")", email, R"(","password":"s3cret-pass"})"));
    REQUIRE(login.status == 200);
    return login.Str("tokens.accessToken");
  }

 private:
  static std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(c));
    return s;
  }
  std::map<std::string, std::string> env_;
  std::string tls_;
};

TEST_CASE("a service port refuses callers without the right identity") {
  Direct direct;
  std::string customer = direct.CustomerToken();
  for (const Target& target : kTargets) {
    INFO(target.method);
    CHECK(direct.Call(target, "").error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(direct.Call(target, "", customer).error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(direct.Call(target, "gateway", customer).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(direct.Call(target, target.wrong_service).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(direct.Call(target, target.wrong_service, customer).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    // A plaintext client cannot even complete the handshake.
    CHECK(direct.Call(target, "plaintext").error_code() == grpc::StatusCode::UNAVAILABLE);
  }
}

TEST_CASE("the rightful caller gets past the door") {
  Direct direct;
  // ReserveStock is the order service's; the empty request is then refused for what it is.
  grpc::Status reserve = direct.Call(kTargets[1], "order");
  CHECK(reserve.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace zhongtai::e2e
