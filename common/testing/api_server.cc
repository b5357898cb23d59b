#include "common/testing/api_server.h"

namespace zhongtai::testing {

server::RunnerOptions ApiTestOptions(const std::string& service) {
  server::RunnerOptions options;
  options.service = service;
  options.grpc_address = "127.0.0.1:0";
  options.metrics_address = "127.0.0.1:0";
  options.worker_threads = 2;
  options.drain_timeout = absl::Milliseconds(200);
  return options;
}

}  // namespace zhongtai::testing
