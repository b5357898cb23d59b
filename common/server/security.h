// How a process proves who it is and checks who calls it: mutual TLS with a certificate per service from the
// suite's CA, and the public key that verifies users' access tokens. Read once at start from the shared settings
//   ZT_TLS_DIR          folder with ca.crt, tls.crt, tls.key (a Kubernetes TLS Secret mounts exactly these)
//   ZT_DEV_PLAINTEXT    true: no TLS, callers name themselves (development only; never in production)
//   ZT_AUTH_PUBLIC_KEY  base64 Ed25519 public key of the user service's token signing key
//   ZT_BIND_ADDRESS     address the gRPC and /metrics ports bind (default 127.0.0.1)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace grpc {
class ChannelCredentials;
class ServerCredentials;
class ChannelArguments;
}  // namespace grpc

namespace zhongtai::server {

struct Security {
  // This process's service name ("order", "gateway"): the name its certificate carries.
  std::string service;
  bool plaintext = true;
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  // Raw Ed25519 public key that verifies access tokens; empty: user tokens are not accepted.
  std::string token_public_key;
  std::vector<std::string> token_previous_public_keys;  // still accepted during a key rotation
  std::string bind_address = "127.0.0.1";
};

// The settings above for `service`; INVALID_ARGUMENT naming what is missing or unreadable.
absl::StatusOr<Security> LoadSecurity(const std::string& service);

// Reads ca.crt, tls.crt and tls.key from `dir` into `security` (plaintext off).
absl::Status LoadCertificates(const std::string& dir, Security& security);

// The process-wide settings every server and channel of this process uses. Until set: plaintext, no name.
void SetProcessSecurity(Security security);
const Security& ProcessSecurity();

// Server side: TLS asking for (and verifying against the CA) a client certificate; a caller without one
// still connects, and the interceptor answers UNAUTHENTICATED.
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const Security& security);

// Client side: this process's certificate, the CA, and `callee` ("product") as the name the server's
// certificate must carry, whatever address reaches it.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const Security& security);
void SetCalleeName(const Security& security, const std::string& callee, grpc::ChannelArguments& args);

}  // namespace zhongtai::server
