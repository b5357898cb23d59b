// zt-flash-bench: many buyers trying to win a flash sale through the marketing service's PurchaseFlashSale (gRPC, as
// the gateway calls it: development plaintext, caller "gateway", each buyer's own signed token). Each attempt has a
// request id of its own; buyers are taken round robin. Prints one JSON object: attempts, seconds, attempts per second,
// the wins and the refusals by reason.
//
//   zt-flash-bench --target 127.0.0.1:50053 --signing-key-file tls/token.signing-key --sale-id fs_...
//                  --attempts 1000000 --buyers 10000 --concurrency 64 [--json out.json] [--threads 1] [--token-time S]
// bench/flash_sale_run.py (the large run) and bench/run.py's B6 drive it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "grpcpp/grpcpp.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"

namespace {

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

std::string ReasonOf(const grpc::Status& status) {
  // The ErrorInfo reason travels in the details; the message is enough to tell the refusals apart here.
  if (status.ok()) return "OK";
  return absl::StrCat(status.error_code(), ":", status.error_message());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zhongtai;
  const std::string target = Flag(argc, argv, "target", "127.0.0.1:50053");
  const std::string sale_id = Flag(argc, argv, "sale-id", "");
  const int64_t attempts = std::stoll(Flag(argc, argv, "attempts", "10000"));
  const int buyers = std::stoi(Flag(argc, argv, "buyers", "1000"));
  const int concurrency = std::stoi(Flag(argc, argv, "concurrency", "64"));
  const std::string run = Flag(argc, argv, "run", std::to_string(absl::ToUnixMicros(absl::Now())));
  const std::string json_path = Flag(argc, argv, "json", "");
  std::ifstream key_file(Flag(argc, argv, "signing-key-file", ""));
  std::string key_text((std::istreambuf_iterator<char>(key_file)), std::istreambuf_iterator<char>());
  while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == ' ')) key_text.pop_back();
  absl::StatusOr<std::string> seed = auth::DecodeKey(key_text);
  if (sale_id.empty() || !seed.ok()) {
    std::fprintf(stderr, "zt-flash-bench: need --sale-id and a readable --signing-key-file\n");
    return 2;
  }
  // --token-time (Unix seconds) signs the same tokens in every run, so a warm-up run can put them in the service's
  // verified-token cache (as in a long sale, where each buyer's token is checked once and then found).
  const std::string token_time = Flag(argc, argv, "token-time", "");
  const absl::Time issued_at = token_time.empty() ? absl::Now() : absl::FromUnixSeconds(std::stoll(token_time));
  auth::TokenConfig tokens;
  tokens.signing_key = *seed;
  tokens.access_ttl = absl::Hours(1);
  std::vector<std::string> buyer_tokens;
  buyer_tokens.reserve(buyers);
  for (int i = 0; i < buyers; ++i) {
    buyer_tokens.push_back(auth::SignAccessToken(tokens, absl::StrCat("bench-buyer-", i), "customer", issued_at));
  }

  // A few channels, so that the calls are not all on one HTTP/2 connection.
  std::vector<std::unique_ptr<marketing::v1::MarketingService::Stub>> stubs;
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);
    stubs.push_back(marketing::v1::MarketingService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
  }

  // --concurrency calls in flight, each started from the completion of the one before (gRPC's callback API, no
  // thread per call), as the gateway multiplexes its buyers' calls; --threads N keeps one blocking thread per call
  // instead (the generator of the first B6 runs).
  std::atomic<int64_t> next{0};
  std::mutex mu;
  std::map<std::string, int64_t> outcomes;
  std::vector<std::string> winners;
  auto prepare = [&](grpc::ClientContext& context, marketing::v1::PurchaseFlashSaleRequest& request, int64_t n) {
    const int buyer = static_cast<int>(n % buyers);
    context.AddMetadata("x-zt-caller", "gateway");
    context.AddMetadata("x-zt-user-token", buyer_tokens[buyer]);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    request.set_sale_id(sale_id);
    request.set_request_id(absl::StrCat("bench-", run, "-", n));
  };
  auto record = [&](const grpc::Status& status, const marketing::v1::PurchaseFlashSaleResponse& response, int64_t n) {
    std::lock_guard<std::mutex> lock(mu);
    ++outcomes[ReasonOf(status)];
    if (status.ok()) winners.push_back(absl::StrCat("bench-buyer-", n % buyers, " ", response.purchase().order_id()));
  };
  const auto start = std::chrono::steady_clock::now();
  if (Flag(argc, argv, "threads", "") == "") {
    struct Lane {
      std::unique_ptr<grpc::ClientContext> context;
      marketing::v1::PurchaseFlashSaleRequest request;
      marketing::v1::PurchaseFlashSaleResponse response;
      int64_t n = 0;
    };
    std::vector<Lane> lanes(concurrency);
    std::mutex done_mu;
    std::condition_variable done_cv;
    int running = concurrency;
    std::function<void(int)> issue = [&](int l) {
      Lane& lane = lanes[l];
      lane.n = next++;
      if (lane.n >= attempts) {
        std::lock_guard<std::mutex> lock(done_mu);
        if (--running == 0) done_cv.notify_all();
        return;
      }
      lane.context = std::make_unique<grpc::ClientContext>();
      lane.request.Clear();
      lane.response.Clear();
      prepare(*lane.context, lane.request, lane.n);
      stubs[l % stubs.size()]->async()->PurchaseFlashSale(lane.context.get(), &lane.request, &lane.response,
                                                          [&, l](grpc::Status status) {
                                                            record(status, lanes[l].response, lanes[l].n);
                                                            issue(l);
                                                          });
    };
    for (int l = 0; l < concurrency; ++l) issue(l);
    std::unique_lock<std::mutex> lock(done_mu);
    done_cv.wait(lock, [&] { return running == 0; });
  } else {
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t) {
      threads.emplace_back([&, t] {
        auto& stub = *stubs[t % stubs.size()];
        for (int64_t n = next++; n < attempts; n = next++) {
          grpc::ClientContext context;
          marketing::v1::PurchaseFlashSaleRequest request;
          prepare(context, request, n);
          marketing::v1::PurchaseFlashSaleResponse response;
          grpc::Status status = stub.PurchaseFlashSale(&context, request, &response);
          record(status, response, n);
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::ostringstream out;
  out << "{\"attempts\":" << attempts << ",\"buyers\":" << buyers << ",\"concurrency\":" << concurrency
      << ",\"seconds\":" << seconds << ",\"attempts_per_second\":" << attempts / seconds
      << ",\"admitted\":" << outcomes["OK"] << ",\"outcomes\":{";
  bool first = true;
  for (const auto& [reason, count] : outcomes) {
    std::string escaped;
    for (char c : reason) escaped += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    out << (first ? "" : ",") << "\"" << escaped << "\":" << count;
    first = false;
  }
  out << "},\"winners\":[";
  for (size_t i = 0; i < winners.size(); ++i) out << (i ? "," : "") << "\"" << winners[i] << "\"";
  out << "]}\n";
  if (!json_path.empty()) {
    std::ofstream(json_path) << out.str();
  } else {
    std::fputs(out.str().c_str(), stdout);
  }
  return 0;
}
