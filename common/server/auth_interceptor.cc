#include "common/server/auth_interceptor.h"

#include <mutex>
#include <unordered_map>

#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/server_context.h"

namespace zhongtai::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

struct Decision {
  absl::Status status;
  Caller caller;
  const void* owner = nullptr;  // the interceptor that made it
};

// Decisions of the calls in flight, by server context; an entry lives as long as its call's interceptor. A new
// call may reuse a finished call's context address before that call's interceptor is gone, so an interceptor
// erases only its own entry.
class Decisions {
 public:
  void Put(const grpc::ServerContextBase* context, Decision decision) {
    std::lock_guard<std::mutex> lock(mu_);
    decisions_[context] = std::move(decision);
  }
  void Erase(const grpc::ServerContextBase* context, const void* owner) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = decisions_.find(context);
    if (it != decisions_.end() && it->second.owner == owner) decisions_.erase(it);
  }
  bool Get(const grpc::ServerContextBase* context, Decision& out) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = decisions_.find(context);
    if (it == decisions_.end()) return false;
    out = it->second;
    return true;
  }

 private:
  std::mutex mu_;
  std::unordered_map<const grpc::ServerContextBase*, Decision> decisions_;
};

Decisions& AllDecisions() {
  static Decisions* decisions = new Decisions();
  return *decisions;
}

std::string Metadata(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata, const char* key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

std::string PeerService(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return "";
  std::vector<grpc::string_ref> names = auth->FindPropertyValues("x509_common_name");
  return names.empty() ? "" : std::string(names.front().data(), names.front().size());
}

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(grpc::experimental::ServerRpcInfo* info, const Security& security, auth::VerifiedTokens& verified)
      : info_(info), security_(security), verified_(verified) {}
  ~AuthInterceptor() override {
    if (registered_) AllDecisions().Erase(info_->server_context(), this);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Decide(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) && !decision_.status.ok()) {
      methods->ModifySendStatus(ToGrpcStatus(decision_.status, nullptr));
    }
    methods->Proceed();
  }

 private:
  void Decide(const std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    const grpc::ServerContextBase* context = info_->server_context();
    Caller& caller = decision_.caller;
    caller.service =
        security_.plaintext ? (metadata ? Metadata(*metadata, kCallerServiceMetadata) : "") : PeerService(*context);
    std::string token = metadata ? Metadata(*metadata, kUserTokenMetadata) : "";
    if (!token.empty()) {
      absl::StatusOr<auth::Claims> claims = verified_.Verify(token, absl::Now());
      if (!claims.ok()) {
        decision_.status = claims.status();
      } else {
        caller.user_id = claims->subject;
        caller.role = claims->role;
        caller.user_token = std::move(token);
      }
    }
    if (decision_.status.ok()) {
      const std::string method = info_->method() ? info_->method() : "";
      // "/pkg.Service/Method" -> "pkg.Service.Method"
      std::string name = method.empty() ? "" : method.substr(1);
      for (char& c : name)
        if (c == '/') c = '.';
      decision_.status =
          Authorize(method, google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name), caller);
    }
    decision_.owner = this;
    AllDecisions().Put(context, decision_);
    registered_ = true;
  }

  grpc::experimental::ServerRpcInfo* info_;
  const Security& security_;
  auth::VerifiedTokens& verified_;
  Decision decision_;
  bool registered_ = false;
};

class AuthInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(Security security)
      : security_(std::move(security)), verified_([this] {
          auth::TokenConfig config;
          config.public_key = security_.token_public_key;
          config.previous_public_keys = security_.token_previous_public_keys;
          return config;
        }()) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new AuthInterceptor(info, security_, verified_);
  }

 private:
  Security security_;
  auth::VerifiedTokens verified_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewAuthInterceptorFactory(
    const Security& security) {
  return std::make_unique<AuthInterceptorFactory>(security);
}

absl::StatusOr<Caller> AdmittedCaller(const grpc::ServerContextBase* context) {
  Decision decision;
  if (!AllDecisions().Get(context, decision)) {
    return Error(absl::StatusCode::kUnauthenticated, "PEER_UNAUTHENTICATED", "the call was not authenticated");
  }
  if (!decision.status.ok()) return decision.status;
  return decision.caller;
}

}  // namespace zhongtai::server
