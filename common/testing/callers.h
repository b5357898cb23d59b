// Calling an in-process service in tests as the suite's services do: the runner's default security is
// development plaintext, where the calling service names itself, and users are signed access tokens that the
// server verifies with TestTokenKeys().public_key (set it in RunnerOptions::security.token_public_key).
#pragma once

#include <string>

#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "common/server/identity.h"
#include "grpcpp/client_context.h"

namespace zhongtai::testing {

inline const auth::KeyPair& TestTokenKeys() {
  static const auth::KeyPair keys = auth::NewKeyPair();
  return keys;
}

inline std::string TestUserToken(const std::string& user_id, const std::string& role = "customer") {
  auth::TokenConfig config;
  config.signing_key = TestTokenKeys().signing_key;
  return auth::SignAccessToken(config, user_id, role, absl::Now());
}

// The call comes from `service` and, when `user_id` is set, on behalf of that user.
inline void CallAs(grpc::ClientContext& context, const std::string& service, const std::string& user_id = "",
                   const std::string& role = "customer") {
  context.AddMetadata(server::kCallerServiceMetadata, service);
  if (!user_id.empty()) context.AddMetadata(server::kUserTokenMetadata, TestUserToken(user_id, role));
}

}  // namespace zhongtai::testing
