#include "common/testing/api_server.h"

#include "common/testing/callers.h"

namespace zhongtai::testing {

server::RunnerOptions ApiTestOptions(const std::string& service) {
  server::RunnerOptions options;
  options.service = service;
  options.grpc_address = "127.0.0.1:0";
  options.metrics_address = "127.0.0.1:0";
  options.worker_threads = 2;
  options.drain_timeout = absl::Milliseconds(200);
  // Development plaintext (callers name themselves, see callers.h); user tokens verify with the test keys.
  options.security.token_public_key = TestTokenKeys().public_key;
  return options;
}

}  // namespace zhongtai::testing
