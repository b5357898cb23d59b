// The service runner with a real gRPC server on a free port: health, metrics, load shedding and
// graceful shutdown that lets calls in flight finish.
#include "common/server/service_runner.h"

#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/callers.h"
#include "grpcpp/grpcpp.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::server {
namespace {

// GetProduct blocks until the test opens the gate, so calls can be held in flight.
class GatedProducts : public product::v1::ProductService::CallbackService {
 public:
  explicit GatedProducts(WorkerPool& pool) : pool_(pool), gate_(open_.get_future().share()) {}
  grpc::ServerUnaryReactor* GetProduct(grpc::CallbackServerContext* context,
                                       const product::v1::GetProductRequest* request,
                                       product::v1::GetProductResponse* response) override {
    return RunBlocking(pool_, context, [this, request, response] {
      ++started_;
      gate_.wait();
      if (request->product_id().empty()) return InvalidArgument("productId", "PRODUCT_ID_MISSING", "required");
      response->mutable_product()->set_product_id(request->product_id());
      return absl::OkStatus();
    });
  }
  void Open() { open_.set_value(); }
  std::atomic<int> started_{0};

 private:
  WorkerPool& pool_;
  std::promise<void> open_;
  std::shared_future<void> gate_;
};

std::string Scrape(int port) {
  // prometheus-cpp serves plain HTTP; a raw socket read keeps this test free of an HTTP client.
  std::string command = "curl -s http://127.0.0.1:" + std::to_string(port) + "/metrics";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) out += buffer;
  if (pipe) pclose(pipe);
  return out;
}

TEST_CASE("the runner serves, sheds load when full, and drains calls in flight on shutdown") {
  RunnerOptions options;
  options.service = "product";
  options.grpc_address = "127.0.0.1:0";
  options.metrics_address = "127.0.0.1:0";
  options.worker_threads = 1;
  options.worker_queue = 0;
  options.drain_timeout = absl::Seconds(5);
  ServiceRunner runner(options);
  GatedProducts products(runner.workers());
  runner.AddService(&products);
  bool hook_ran = false;
  runner.OnShutdown([&] { hook_ran = true; });
  REQUIRE(runner.Start().ok());
  REQUIRE(runner.grpc_port() > 0);

  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(runner.grpc_port()), grpc::InsecureChannelCredentials());
  auto stub = product::v1::ProductService::NewStub(channel);

  // Metrics are pre-initialised for every method before any call.
  std::string scraped = Scrape(runner.metrics_port());
  CHECK(scraped.find("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"GetProduct\"") != std::string::npos);
  CHECK(scraped.find("zt_build_info{service=\"product\"") != std::string::npos);
  CHECK(scraped.find("process_cpu_seconds_total") != std::string::npos);
  CHECK(scraped.find("process_open_fds") != std::string::npos);

  // One worker, no queue: the first call occupies the worker, the second is shed at once.
  product::v1::GetProductRequest request;
  request.set_product_id("p1");
  product::v1::GetProductResponse first_response;
  grpc::ClientContext first_context;
  ::zhongtai::testing::CallAs(first_context, "gateway");
  std::promise<grpc::Status> first_done;
  stub->async()->GetProduct(&first_context, &request, &first_response,
                            [&](grpc::Status status) { first_done.set_value(status); });
  for (int i = 0; i < 200 && products.started_ == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(products.started_ == 1);

  grpc::ClientContext shed_context;
  ::zhongtai::testing::CallAs(shed_context, "gateway");
  product::v1::GetProductResponse shed_response;
  grpc::Status shed = stub->GetProduct(&shed_context, request, &shed_response);
  CHECK(shed.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(ReasonOf(FromGrpcStatus(shed, shed_context)) == "OVERLOADED");

  // Shutdown while the first call is still running: it must still complete successfully.
  std::promise<int> exit_code;
  std::thread waiter([&] { exit_code.set_value(runner.Wait()); });
  runner.RequestShutdown();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  products.Open();
  auto first = first_done.get_future();
  REQUIRE(first.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(first.get().ok());
  CHECK(first_response.product().product_id() == "p1");
  waiter.join();
  CHECK(exit_code.get_future().get() == 0);
  CHECK(hook_ran);
}

// GetProduct hands its FinishCall to the test instead of answering: the call stays open with no worker held.
class DeferredProducts : public product::v1::ProductService::CallbackService {
 public:
  explicit DeferredProducts(WorkerPool& pool) : pool_(pool) {}
  grpc::ServerUnaryReactor* GetProduct(grpc::CallbackServerContext* context,
                                       const product::v1::GetProductRequest* request,
                                       product::v1::GetProductResponse* response) override {
    return RunAsync(pool_, context, [this, request, response](FinishCall finish) {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.push_back([request, response, finish] {
        response->mutable_product()->set_product_id(request->product_id());
        finish(absl::OkStatus());
      });
    });
  }
  size_t pending() {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.size();
  }
  void FinishAll() {
    std::vector<std::function<void()>> pending;
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending.swap(pending_);
    }
    for (auto& finish : pending) finish();
  }

 private:
  WorkerPool& pool_;
  std::mutex mu_;
  std::vector<std::function<void()>> pending_;
};

TEST_CASE("a call run with RunAsync releases its worker while it waits, and answers when finished") {
  RunnerOptions options;
  options.service = "product";
  options.grpc_address = "127.0.0.1:0";
  options.metrics_address = "127.0.0.1:0";
  options.worker_threads = 1;
  options.worker_queue = 2;
  options.drain_timeout = absl::Seconds(2);
  options.lame_duck = absl::ZeroDuration();
  ServiceRunner runner(options);
  DeferredProducts products(runner.workers());
  runner.AddService(&products);
  REQUIRE(runner.Start().ok());
  auto stub = product::v1::ProductService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(runner.grpc_port()), grpc::InsecureChannelCredentials()));

  // One worker, room for three open calls: all three are admitted and wait at once, the worker free meanwhile (with
  // RunBlocking the first call would hold the worker and the other two would wait in the queue).
  constexpr int kCalls = 3;
  product::v1::GetProductRequest requests[kCalls];
  product::v1::GetProductResponse responses[kCalls];
  grpc::ClientContext contexts[kCalls];
  std::promise<grpc::Status> done[kCalls];
  for (int i = 0; i < kCalls; ++i) {
    requests[i].set_product_id("p" + std::to_string(i));
    ::zhongtai::testing::CallAs(contexts[i], "gateway");
    stub->async()->GetProduct(&contexts[i], &requests[i], &responses[i],
                              [&done, i](grpc::Status status) { done[i].set_value(status); });
    for (int wait = 0; wait < 200 && products.pending() < static_cast<size_t>(i + 1); ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  REQUIRE(products.pending() == kCalls);
  for (int wait = 0; wait < 200 && runner.workers().busy() > 0; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(runner.workers().busy() == 0);
  CHECK(runner.workers().open_calls() == kCalls);

  // A fourth call is beyond the bound of open calls: shed at once, although the worker is idle.
  grpc::ClientContext shed_context;
  ::zhongtai::testing::CallAs(shed_context, "gateway");
  product::v1::GetProductResponse shed_response;
  grpc::Status shed = stub->GetProduct(&shed_context, requests[0], &shed_response);
  CHECK(shed.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);

  products.FinishAll();
  for (int i = 0; i < kCalls; ++i) {
    auto status = done[i].get_future();
    REQUIRE(status.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(status.get().ok());
    CHECK(responses[i].product().product_id() == "p" + std::to_string(i));
  }
  CHECK(runner.workers().open_calls() == 0);
  runner.RequestShutdown();
  CHECK(runner.Wait() == 0);
}

}  // namespace
}  // namespace zhongtai::server
