// zt-loadgen: load for one gRPC method (generic stub, serialized request bytes, callback API) or one
// HTTP/1.1 route (Boost.Beast, keep-alive connections).
//   closed loop: --mode closed --concurrency N   (N requests in flight; finds maximum throughput)
//   open loop:   --mode open --rate R            (R requests/s on a fixed schedule; latency is measured
//                                                 from each request's intended start, so stalls show)
// gRPC calls carry each --metadata key=value (e.g. x-zt-caller=gateway against a development-plaintext stack).
// Requests intended during --warmup are not recorded. --pids a,b sums the server CPU of those process
// trees over the measured window. Writes one JSON object (to --json FILE or stdout).
// In --path, --body and --header values, {seq} becomes a number unique to the request (from --seq-base).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/loadgen/cpu.h"
#include "bench/loadgen/histogram.h"

namespace zhongtai::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string proto = "grpc";
  std::string target = "127.0.0.1:50051";
  std::string label;
  std::string method;       // grpc: /pkg.Service/Method
  std::string request_hex;  // grpc: serialized request
  std::string http_method = "GET";
  std::string path = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> metadata;  // grpc
  std::string mode = "closed";
  int concurrency = 16;
  int connections = 32;  // http open loop
  int channels = 2;      // grpc
  double rate = 1000;
  double duration = 5;
  double warmup = 1;
  int timeout_ms = 5000;
  long long seq_base = 0;
  std::vector<pid_t> pids;
  std::string json;
  std::string save_response;  // grpc: writes the first OK response's bytes here
};

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "zt-loadgen: " << why << "\n(see the comment at the top of bench/loadgen/main.cc)\n";
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) Usage("missing value for " + flag);
    std::string v = argv[++i];
    if (flag == "--proto")
      o.proto = v;
    else if (flag == "--target")
      o.target = v;
    else if (flag == "--label")
      o.label = v;
    else if (flag == "--method")
      o.method = v;
    else if (flag == "--request-hex")
      o.request_hex = v;
    else if (flag == "--http-method")
      o.http_method = v;
    else if (flag == "--path")
      o.path = v;
    else if (flag == "--body")
      o.body = v;
    else if (flag == "--header") {
      auto colon = v.find(':');
      if (colon == std::string::npos) Usage("--header wants 'Name: value'");
      std::string value = v.substr(colon + 1);
      while (!value.empty() && value[0] == ' ') value.erase(0, 1);
      o.headers.emplace_back(v.substr(0, colon), value);
    } else if (flag == "--metadata") {
      auto equals = v.find('=');
      if (equals == std::string::npos) Usage("--metadata wants 'key=value'");
      o.metadata.emplace_back(v.substr(0, equals), v.substr(equals + 1));
    } else if (flag == "--mode")
      o.mode = v;
    else if (flag == "--concurrency")
      o.concurrency = std::stoi(v);
    else if (flag == "--connections")
      o.connections = std::stoi(v);
    else if (flag == "--channels")
      o.channels = std::stoi(v);
    else if (flag == "--rate")
      o.rate = std::stod(v);
    else if (flag == "--duration")
      o.duration = std::stod(v);
    else if (flag == "--warmup")
      o.warmup = std::stod(v);
    else if (flag == "--timeout-ms")
      o.timeout_ms = std::stoi(v);
    else if (flag == "--seq-base")
      o.seq_base = std::stoll(v);
    else if (flag == "--pids") {
      std::stringstream in(v);
      std::string pid;
      while (std::getline(in, pid, ',')) {
        if (!pid.empty()) o.pids.push_back(std::stoi(pid));
      }
    } else if (flag == "--json")
      o.json = v;
    else if (flag == "--save-response")
      o.save_response = v;
    else
      Usage("unknown flag " + flag);
  }
  if (o.proto != "grpc" && o.proto != "http") Usage("--proto is grpc or http");
  if (o.mode != "closed" && o.mode != "open") Usage("--mode is closed or open");
  if (o.proto == "grpc" && o.method.empty()) Usage("--method is required for grpc");
  if (o.rate <= 0 || o.duration <= 0 || o.concurrency <= 0) Usage("rate, duration and concurrency must be positive");
  return o;
}

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// What the run measured: requests intended inside [start, end) are recorded, whenever they finish.
class Recorder {
 public:
  void SetWindow(Clock::time_point start, Clock::time_point end) {
    start_ = start;
    end_ = end;
  }
  bool InWindow(Clock::time_point intended) const { return intended >= start_ && intended < end_; }

  void Done(Clock::time_point intended, const std::string& code, bool ok) {
    if (!InWindow(intended)) return;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - intended).count();
    if (ok) latency_.Record(static_cast<uint64_t>(ns));
    std::lock_guard<std::mutex> lock(mu_);
    ++codes_[code];
    (ok ? ok_ : failed_)++;
  }

  const Histogram& latency() const { return latency_; }
  std::map<std::string, uint64_t> codes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return codes_;
  }
  uint64_t ok() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ok_;
  }
  uint64_t failed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }

 private:
  Clock::time_point start_, end_;
  Histogram latency_;
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> codes_;
  uint64_t ok_ = 0, failed_ = 0;
};

// Counts requests in flight so the run can wait for the last ones.
class InFlight {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++n_;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--n_ == 0) cv_.notify_all();
  }
  long Count() {
    std::lock_guard<std::mutex> lock(mu_);
    return n_;
  }
  bool WaitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return n_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  long n_ = 0;
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual void StartClosed(int concurrency) = 0;       // keeps `concurrency` requests going until Stop
  virtual void Issue(Clock::time_point intended) = 0;  // open loop: one request, intended at `intended`
  virtual void Stop() = 0;                             // no new requests after this
  virtual bool WaitIdle(std::chrono::milliseconds timeout) = 0;
  virtual void Shutdown() {}
};

// ---------------------------------------------------------------------------------------------- gRPC
class GrpcDriver : public Driver {
 public:
  GrpcDriver(const Options& options, Recorder* recorder) : options_(options), recorder_(recorder) {
    std::string bytes = FromHex(options.request_hex);
    grpc::Slice slice(bytes);
    request_ = grpc::ByteBuffer(&slice, 1);
    for (int i = 0; i < std::max(1, options.channels); ++i) {
      grpc::ChannelArguments args;
      args.SetInt("zt.bench.channel", i);  // distinct args: one TCP connection per channel
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      auto channel = grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
      stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
    }
  }

  void StartClosed(int concurrency) override {
    for (int i = 0; i < concurrency; ++i) Call(Clock::now(), true);
  }
  void Issue(Clock::time_point intended) override { Call(intended, false); }
  void Stop() override { running_ = false; }
  bool WaitIdle(std::chrono::milliseconds timeout) override { return in_flight_.WaitIdle(timeout); }

 private:
  struct CallState {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    Clock::time_point intended;
  };

  void Call(Clock::time_point intended, bool closed) {
    auto* call = new CallState;
    call->intended = intended;
    call->request = request_;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(options_.timeout_ms));
    for (const auto& [key, value] : options_.metadata) call->context.AddMetadata(key, value);
    in_flight_.Add();
    auto& stub = *stubs_[next_stub_++ % stubs_.size()];
    stub.UnaryCall(
        &call->context, options_.method, grpc::StubOptions(), &call->request, &call->response,
        [this, call, closed](grpc::Status status) {
          static const char* kNames[] = {
              "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
              "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
              "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
              "DATA_LOSS", "UNAUTHENTICATED"};
          int code = status.error_code();
          if (status.ok() && !options_.save_response.empty() && !saved_.exchange(true)) {
            std::vector<grpc::Slice> slices;
            call->response.Dump(&slices);
            std::ofstream out(options_.save_response, std::ios::binary);
            for (const auto& s : slices) out.write(reinterpret_cast<const char*>(s.begin()), s.size());
          }
          recorder_->Done(call->intended, code >= 0 && code <= 16 ? kNames[code] : "OTHER", status.ok());
          delete call;
          if (closed && running_) Call(Clock::now(), true);
          in_flight_.Done();
        });
  }

  const Options& options_;
  Recorder* recorder_;
  grpc::ByteBuffer request_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::atomic<size_t> next_stub_{0};
  std::atomic<bool> saved_{false};
  std::atomic<bool> running_{true};
  InFlight in_flight_;
};

// ---------------------------------------------------------------------------------------------- HTTP
class HttpDriver : public Driver {
 public:
  HttpDriver(const Options& options, Recorder* recorder) : options_(options), recorder_(recorder) {
    auto colon = options.target.rfind(':');
    if (colon == std::string::npos) Usage("--target is host:port");
    host_ = options.target.substr(0, colon);
    port_ = options.target.substr(colon + 1);
    asio::ip::tcp::resolver resolver(io_);
    endpoints_ = resolver.resolve(host_, port_);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~HttpDriver() override { Shutdown(); }

  void StartClosed(int concurrency) override {
    asio::post(io_, [this, concurrency] {
      for (int i = 0; i < concurrency; ++i) Open(true);
    });
  }
  void Issue(Clock::time_point intended) override {
    asio::post(io_, [this, intended] {
      if (connections_.empty()) {
        for (int i = 0; i < options_.connections; ++i) Open(false);
      }
      in_flight_.Add();
      queue_.push_back(intended);
      if (!idle_.empty()) {
        auto connection = idle_.back();
        idle_.pop_back();
        Next(connection);
      }
    });
  }
  void Stop() override { running_ = false; }
  bool WaitIdle(std::chrono::milliseconds timeout) override { return in_flight_.WaitIdle(timeout); }
  void Shutdown() override {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      for (auto& connection : connections_) {
        beast::error_code ignored;
        connection->socket.close(ignored);
      }
      work_.reset();
      io_.stop();
    });
    thread_.join();
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io), retry(io) {}
    asio::ip::tcp::socket socket;
    asio::steady_timer retry;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    Clock::time_point intended;
    bool closed_loop = false;
    bool connected = false;
    bool busy = false;
  };
  using ConnectionPtr = std::shared_ptr<Connection>;

  std::string Expand(const std::string& text, const std::string& seq) {
    std::string out = text;
    for (size_t at = out.find("{seq}"); at != std::string::npos; at = out.find("{seq}", at + seq.size())) {
      out.replace(at, 5, seq);
    }
    return out;
  }

  void Open(bool closed_loop) {
    auto connection = std::make_shared<Connection>(io_);
    connection->closed_loop = closed_loop;
    connections_.push_back(connection);
    if (closed_loop) in_flight_.Add();  // a closed-loop connection counts as in flight until it stops
    Connect(connection);
  }

  void Connect(const ConnectionPtr& connection) {
    asio::async_connect(connection->socket, endpoints_, [this, connection](beast::error_code ec, const auto&) {
      if (ec) {
        Fail(connection, "CONNECT_ERROR");
        return;
      }
      connection->socket.set_option(asio::ip::tcp::no_delay(true));
      connection->connected = true;
      Next(connection);
    });
  }

  // Takes the next request for this connection: always one in closed loop, else from the queue.
  void Next(const ConnectionPtr& connection) {
    connection->busy = false;
    if (connection->closed_loop) {
      if (!running_) {
        in_flight_.Done();
        return;
      }
      connection->intended = Clock::now();
    } else {
      if (queue_.empty()) {
        idle_.push_back(connection);
        return;
      }
      connection->intended = queue_.front();
      queue_.pop_front();
    }
    connection->busy = true;
    std::string seq = std::to_string(options_.seq_base + seq_++);
    auto& request = connection->request;
    request = {};
    request.method_string(options_.http_method);
    request.target(Expand(options_.path, seq));
    request.version(11);
    request.set(http::field::host, host_);
    request.keep_alive(true);
    for (const auto& [name, value] : options_.headers) request.set(name, Expand(value, seq));
    if (!options_.body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = Expand(options_.body, seq);
    }
    request.prepare_payload();
    http::async_write(connection->socket, request, [this, connection](beast::error_code ec, size_t) {
      if (ec) {
        Fail(connection, "WRITE_ERROR");
        return;
      }
      connection->response = {};
      http::async_read(connection->socket, connection->buffer, connection->response,
                       [this, connection](beast::error_code ec, size_t) {
                         if (ec) {
                           Fail(connection, "READ_ERROR");
                           return;
                         }
                         int status = connection->response.result_int();
                         recorder_->Done(connection->intended, std::to_string(status), status >= 200 && status < 300);
                         if (!connection->closed_loop) in_flight_.Done();
                         if (!connection->response.keep_alive()) {
                           Reconnect(connection);
                           return;
                         }
                         Next(connection);
                       });
    });
  }

  // A broken connection fails the request it carried (if any) and reconnects after a pause.
  void Fail(const ConnectionPtr& connection, const std::string& code) {
    if (connection->busy) {
      recorder_->Done(connection->intended, code, false);
      if (!connection->closed_loop) in_flight_.Done();
      connection->busy = false;
    }
    if (!running_ && connection->closed_loop) {
      in_flight_.Done();
      return;
    }
    connection->retry.expires_after(std::chrono::milliseconds(20));
    connection->retry.async_wait([this, connection](beast::error_code) { Reconnect(connection); });
  }

  void Reconnect(const ConnectionPtr& connection) {
    beast::error_code ignored;
    connection->socket.close(ignored);
    connection->buffer.clear();
    connection->connected = false;
    Connect(connection);
  }

  const Options& options_;
  Recorder* recorder_;
  std::string host_, port_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  asio::ip::tcp::resolver::results_type endpoints_;
  std::thread thread_;
  std::vector<ConnectionPtr> connections_;
  std::vector<ConnectionPtr> idle_;
  std::deque<Clock::time_point> queue_;
  std::atomic<bool> running_{true};
  long long seq_ = 0;
  InFlight in_flight_;
};

// ---------------------------------------------------------------------------------------------- report
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string Report(const Options& o, const Recorder& recorder, double seconds, double cpu_seconds) {
  const Histogram& h = recorder.latency();
  auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
  std::ostringstream out;
  out.precision(10);
  double ok = static_cast<double>(recorder.ok());
  out << "{\"label\":" << JsonString(o.label) << ",\"proto\":" << JsonString(o.proto)
      << ",\"mode\":" << JsonString(o.mode) << ",\"target\":" << JsonString(o.target)
      << ",\"concurrency\":" << (o.proto == "http" && o.mode == "open" ? o.connections : o.concurrency)
      << ",\"rate\":" << (o.mode == "open" ? o.rate : 0) << ",\"seconds\":" << seconds << ",\"ok\":" << recorder.ok()
      << ",\"failed\":" << recorder.failed() << ",\"qps\":" << ok / seconds << ",\"server_cpu_seconds\":" << cpu_seconds
      << ",\"qps_per_server_cpu_second\":" << (cpu_seconds > 0 ? ok / cpu_seconds : 0)
      << ",\"latency_us\":{\"p50\":" << us(h.Percentile(0.5)) << ",\"p90\":" << us(h.Percentile(0.9))
      << ",\"p99\":" << us(h.Percentile(0.99)) << ",\"p999\":" << us(h.Percentile(0.999)) << ",\"max\":" << us(h.max())
      << "},\"codes\":{";
  bool first = true;
  for (const auto& [code, count] : recorder.codes()) {
    out << (first ? "" : ",") << JsonString(code) << ":" << count;
    first = false;
  }
  out << "},\"histogram_ns\":[";
  first = true;
  for (const auto& [value, count] : h.Buckets()) {
    out << (first ? "" : ",") << "[" << value << "," << count << "]";
    first = false;
  }
  out << "]}";
  return out.str();
}

int Run(const Options& o) {
  Recorder recorder;
  std::unique_ptr<Driver> driver;
  if (o.proto == "grpc") {
    driver = std::make_unique<GrpcDriver>(o, &recorder);
  } else {
    driver = std::make_unique<HttpDriver>(o, &recorder);
  }
  auto begin = Clock::now() + std::chrono::milliseconds(50);
  auto start = begin + std::chrono::microseconds(static_cast<long long>(o.warmup * 1e6));
  auto end = start + std::chrono::microseconds(static_cast<long long>(o.duration * 1e6));
  recorder.SetWindow(start, end);
  std::thread cpu_start_sampler;
  double cpu_at_start = 0;
  cpu_start_sampler = std::thread([&] {
    std::this_thread::sleep_until(start);
    cpu_at_start = TreeCpuSeconds(o.pids);
  });
  if (o.mode == "closed") {
    std::this_thread::sleep_until(begin);
    driver->StartClosed(o.concurrency);
    std::this_thread::sleep_until(end);
  } else {
    auto period = std::chrono::duration<double>(1.0 / o.rate);
    for (long long i = 0;; ++i) {
      auto intended = begin + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(i));
      if (intended >= end) break;
      std::this_thread::sleep_until(intended);
      driver->Issue(intended);  // late issues keep their intended time, so the delay counts as latency
    }
  }
  double cpu_at_end = TreeCpuSeconds(o.pids);
  cpu_start_sampler.join();
  driver->Stop();
  if (!driver->WaitIdle(std::chrono::milliseconds(o.timeout_ms + 2000))) {
    std::cerr << "zt-loadgen: requests still in flight after the timeout\n";
  }
  driver->Shutdown();
  double seconds = o.duration;
  std::string report = Report(o, recorder, seconds, o.pids.empty() ? 0 : cpu_at_end - cpu_at_start);
  if (o.json.empty()) {
    std::cout << report << "\n";
  } else {
    std::ofstream(o.json) << report << "\n";
  }
  std::cerr << "zt-loadgen " << o.label << ": ok=" << recorder.ok() << " failed=" << recorder.failed()
            << " qps=" << static_cast<double>(recorder.ok()) / seconds
            << " p99_us=" << recorder.latency().Percentile(0.99) / 1000 << "\n";
  return recorder.ok() > 0 ? 0 : 1;
}

}  // namespace
}  // namespace zhongtai::bench

int main(int argc, char** argv) { return zhongtai::bench::Run(zhongtai::bench::Parse(argc, argv)); }
