// An API under test on an in-process ServiceRunner (the same server, worker pool, interceptors and
// metrics a service runs with): loopback, free ports, two workers, a short drain, development plaintext
// with callers named as in callers.h. For api tests:
//   zhongtai::testing::ApiServer server("marketing");
//   MarketingApi api(promotions, server.workers());
//   auto stub = server.Start<v1::MarketingService>(&api);
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "common/server/client.h"
#include "common/server/service_runner.h"

namespace zhongtai::testing {

// The runner options of an API test of `service`.
server::RunnerOptions ApiTestOptions(const std::string& service);

class ApiServer {
 public:
  explicit ApiServer(const std::string& service) : runner_(ApiTestOptions(service)) {}

  server::ServiceRunner& runner() { return runner_; }
  server::WorkerPool& workers() { return runner_.workers(); }
  // "127.0.0.1:<port>" once started.
  std::string address() const { return "127.0.0.1:" + std::to_string(runner_.grpc_port()); }

  // Registers `api`, starts the server (the test fails when it cannot) and returns a stub of the
  // generated `Service` on a channel to it.
  template <typename Service>
  std::unique_ptr<typename Service::Stub> Start(grpc::Service* api) {
    runner_.AddService(api);
    absl::Status started = runner_.Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    return Service::NewStub(server::MakeChannel(address(), Service::service_full_name()));
  }

 private:
  server::ServiceRunner runner_;
};

}  // namespace zhongtai::testing
