#include "common/server/security.h"

#include <fstream>
#include <mutex>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/token.h"
#include "common/config/env.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace zhongtai::server {
namespace {

std::mutex g_mu;
Security& Global() {
  static Security security;
  return security;
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return !out.empty();
}

}  // namespace

absl::Status LoadCertificates(const std::string& dir, Security& security) {
  std::string missing;
  for (auto [name, target] : {std::pair{"ca.crt", &security.ca_pem}, std::pair{"tls.crt", &security.cert_pem},
                              std::pair{"tls.key", &security.key_pem}}) {
    if (!ReadFile(absl::StrCat(dir, "/", name), *target)) absl::StrAppend(&missing, missing.empty() ? "" : ", ", name);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("ZT_TLS_DIR=", dir, " lacks readable ", missing));
  }
  security.plaintext = false;
  return absl::OkStatus();
}

absl::StatusOr<Security> LoadSecurity(const std::string& service) {
  config::Env env("ZT_");
  Security security;
  security.service = service;
  security.bind_address = env.String("BIND_ADDRESS", security.bind_address);
  bool plaintext = env.Bool("DEV_PLAINTEXT", false);
  std::string tls_dir = env.String("TLS_DIR", "");
  std::string public_key = env.String("AUTH_PUBLIC_KEY", "");
  if (absl::Status status = env.Finish(); !status.ok()) return status;

  if (public_key.empty()) {
    return absl::InvalidArgumentError("ZT_AUTH_PUBLIC_KEY is required (the user service's token public key)");
  }
  // The current key first; during a key rotation, the previous ones after it, comma-separated.
  for (absl::string_view encoded : absl::StrSplit(public_key, ',', absl::SkipWhitespace())) {
    absl::StatusOr<std::string> key = auth::DecodeKey(absl::StripAsciiWhitespace(encoded));
    if (!key.ok()) return absl::InvalidArgumentError("ZT_AUTH_PUBLIC_KEY is not a list of base64 Ed25519 public keys");
    if (security.token_public_key.empty()) {
      security.token_public_key = *key;
    } else {
      security.token_previous_public_keys.push_back(*key);
    }
  }
  if (plaintext) {
    if (!tls_dir.empty()) return absl::InvalidArgumentError("set ZT_TLS_DIR or ZT_DEV_PLAINTEXT, not both");
    security.plaintext = true;
    return security;
  }
  if (tls_dir.empty()) {
    return absl::InvalidArgumentError(
        "ZT_TLS_DIR is required (ca.crt, tls.crt, tls.key); ZT_DEV_PLAINTEXT=true runs without TLS for development");
  }
  if (absl::Status status = LoadCertificates(tls_dir, security); !status.ok()) return status;
  return security;
}

void SetProcessSecurity(Security security) {
  std::lock_guard<std::mutex> lock(g_mu);
  Global() = std::move(security);
}

const Security& ProcessSecurity() {
  // Set once at start, before any server or channel exists; read-only afterwards.
  return Global();
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const Security& security) {
  if (security.plaintext) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = security.ca_pem;
  options.pem_key_cert_pairs.push_back({security.key_pem, security.cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const Security& security) {
  if (security.plaintext) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = security.ca_pem;
  options.pem_private_key = security.key_pem;
  options.pem_cert_chain = security.cert_pem;
  return grpc::SslCredentials(options);
}

void SetCalleeName(const Security& security, const std::string& callee, grpc::ChannelArguments& args) {
  if (!security.plaintext) args.SetSslTargetNameOverride(callee);
}

}  // namespace zhongtai::server
