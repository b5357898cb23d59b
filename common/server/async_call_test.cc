// CallAsync against an in-process service on the real runner (interceptors, token checks, worker pool): what a
// blocking call carries travels along, the caller's deadline holds, and the calling thread does not wait.
#include "common/server/async_call.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "common/server/identity.h"
#include "common/server/security.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::server {
namespace {

namespace v1 = product::v1;
using Clock = std::chrono::steady_clock;

constexpr char kTraceparent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

// BatchGetSkus (callers: order) that remembers who called and with what, answers one SKU per id, refuses an empty id
// with its reason and field, and holds the answer until the gate opens (or the caller gives up).
class RecordingProducts : public v1::ProductService::CallbackService {
 public:
  explicit RecordingProducts(WorkerPool& pool) : pool_(pool), gate_(open_.get_future().share()) {}

  grpc::ServerUnaryReactor* BatchGetSkus(grpc::CallbackServerContext* context, const v1::BatchGetSkusRequest* request,
                                         v1::BatchGetSkusResponse* response) override {
    return RunBlocking(pool_, context, [this, context, request, response] {
      {
        std::lock_guard<std::mutex> lock(mu_);
        user_id_ = CurrentCaller().user_id;
        caller_service_ = CurrentCaller().service;
        request_id_ = CurrentCall().request_id;
        traceparent_ = CurrentCall().traceparent;
      }
      if (gated_) {
        auto give_up = Clock::now() + std::chrono::seconds(5);
        while (gate_.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready && !context->IsCancelled() &&
               Clock::now() < give_up) {
        }
      }
      for (const auto& id : request->sku_ids()) {
        if (id.empty()) return InvalidArgument("skuIds", "SKU_ID_MISSING", "a sku id is empty");
        response->add_skus()->set_sku_id(id);
      }
      return absl::OkStatus();
    });
  }

  void Gate() { gated_ = true; }
  void Open() { open_.set_value(); }
  std::string user_id() {
    std::lock_guard<std::mutex> lock(mu_);
    return user_id_;
  }
  std::string caller_service() {
    std::lock_guard<std::mutex> lock(mu_);
    return caller_service_;
  }
  std::string request_id() {
    std::lock_guard<std::mutex> lock(mu_);
    return request_id_;
  }
  std::string traceparent() {
    std::lock_guard<std::mutex> lock(mu_);
    return traceparent_;
  }

 private:
  WorkerPool& pool_;
  std::atomic<bool> gated_{false};
  std::promise<void> open_;
  std::shared_future<void> gate_;
  std::mutex mu_;
  std::string user_id_, caller_service_, request_id_, traceparent_;
};

// The order service calling product while it serves a user's request, as a worker thread would.
struct Fixture {
  Fixture()
      : previous_security(ProcessSecurity()),
        server(std::make_unique<::zhongtai::testing::ApiServer>("product")),
        products(server->workers()) {
    Security order;
    order.service = "order";  // development plaintext: the caller names itself
    SetProcessSecurity(order);
    stub = server->Start<v1::ProductService>(&products);
  }
  ~Fixture() {
    // The server goes first: a test may end while a worker still runs a gated call into `products`, and the server's
    // end waits for its calls (ThreadSanitizer caught `products` destroyed under such a call).
    server.reset();
    SetProcessSecurity(previous_security);
  }

  CallScope Serving(absl::Duration deadline_in) const {
    CallScope scope;
    scope.deadline = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline_in);
    scope.request_id = "req-1";
    scope.traceparent = kTraceparent;
    scope.caller.service = "gateway";
    scope.caller.user_id = "u1";
    scope.caller.user_token = user_token;
    return scope;
  }

  // Starts BatchGetSkus for `ids` from the current thread; the future gets the outcome and what the callback saw.
  struct Outcome {
    absl::StatusOr<v1::BatchGetSkusResponse> response;
    std::string request_id_in_callback;
    std::string user_token_in_callback;
  };
  std::future<Outcome> Start(std::vector<std::string> ids, absl::Duration timeout = absl::Seconds(3)) {
    auto promise = std::make_shared<std::promise<Outcome>>();
    v1::BatchGetSkusRequest request;
    for (auto& id : ids) request.add_sku_ids(id);
    CallAsync(stub->async(), &v1::ProductService::Stub::async::BatchGetSkus, std::move(request), timeout,
              [promise](absl::StatusOr<v1::BatchGetSkusResponse> response) {
                promise->set_value({std::move(response), CurrentCall().request_id, CurrentCall().caller.user_token});
              });
    return promise->get_future();
  }

  Security previous_security;
  std::string user_token = ::zhongtai::testing::TestUserToken("u1");
  std::unique_ptr<::zhongtai::testing::ApiServer> server;
  RecordingProducts products;
  std::unique_ptr<v1::ProductService::Stub> stub;
};

TEST_CASE("an async call carries the user's token, request id and trace context, and its callback the caller's scope") {
  Fixture f;
  std::future<Fixture::Outcome> outcome;
  {
    ScopedCall serving(f.Serving(absl::Seconds(5)));
    outcome = f.Start({"sku-a", "sku-b"});
  }
  REQUIRE(outcome.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  Fixture::Outcome got = outcome.get();
  REQUIRE(got.response.ok());
  CHECK(got.response->skus_size() == 2);
  // The callee verified the forwarded token and admitted the caller by the service it named.
  CHECK(f.products.user_id() == "u1");
  CHECK(f.products.caller_service() == "order");
  CHECK(f.products.request_id() == "req-1");
  CHECK(f.products.traceparent() == kTraceparent);
  // The callback runs in the scope of the call that started it, so a call it starts carries the same.
  CHECK(got.request_id_in_callback == "req-1");
  CHECK(got.user_token_in_callback == f.user_token);
}

TEST_CASE("the callee's error arrives with its reason and field") {
  Fixture f;
  ScopedCall serving(f.Serving(absl::Seconds(5)));
  std::future<Fixture::Outcome> outcome = f.Start({"sku-a", ""});
  REQUIRE(outcome.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  absl::Status status = outcome.get().response.status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(status) == "SKU_ID_MISSING");
  CHECK(FieldOf(status) == "skuIds");
}

TEST_CASE("the calling thread does not wait for the answer") {
  Fixture f;
  f.products.Gate();
  ScopedCall serving(f.Serving(absl::Seconds(5)));
  auto started = Clock::now();
  std::future<Fixture::Outcome> outcome = f.Start({"sku-a"});
  // The callee holds its answer until the gate opens, which only this thread does: a blocking call would never return.
  CHECK(Clock::now() - started < std::chrono::seconds(1));
  CHECK(outcome.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
  f.products.Open();
  REQUIRE(outcome.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(outcome.get().response.ok());
}

TEST_CASE("a callee slower than the incoming call's deadline gives DEADLINE_EXCEEDED at that deadline") {
  Fixture f;
  f.products.Gate();  // never opened: the callee outlasts any deadline here
  auto started = Clock::now();
  std::future<Fixture::Outcome> outcome;
  {
    ScopedCall serving(f.Serving(absl::Milliseconds(300)));
    outcome = f.Start({"sku-a"}, /*timeout=*/absl::Seconds(3));
  }
  REQUIRE(outcome.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  auto waited = Clock::now() - started;
  CHECK(outcome.get().response.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(waited >= std::chrono::milliseconds(250));
  CHECK(waited < std::chrono::milliseconds(2500));
}

TEST_CASE("the per-call timeout caps a later incoming deadline") {
  Fixture f;
  f.products.Gate();
  ScopedCall serving(f.Serving(absl::Seconds(30)));
  auto started = Clock::now();
  std::future<Fixture::Outcome> outcome = f.Start({"sku-a"}, /*timeout=*/absl::Milliseconds(300));
  REQUIRE(outcome.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(outcome.get().response.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(Clock::now() - started < std::chrono::milliseconds(2500));
}

}  // namespace
}  // namespace zhongtai::server

TEST_CASE("only calls the proto marks safe to repeat are sent again after an early DEADLINE_EXCEEDED") {
  using namespace zhongtai::product::v1;
  CHECK(zhongtai::server::internal::MayRepeat(*BatchGetSkusRequest::descriptor()));  // NO_SIDE_EFFECTS
  CHECK(zhongtai::server::internal::MayRepeat(*ReserveStockRequest::descriptor()));  // IDEMPOTENT
  CHECK_FALSE(zhongtai::server::internal::MayRepeat(*CreateCategoryRequest::descriptor()));
}
