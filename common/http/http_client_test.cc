#include "common/http/http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "absl/time/clock.h"

namespace zhongtai::http {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A one-connection-at-a-time server on a free port; `answer` writes the response (or nothing) to the socket.
class TestServer {
 public:
  using Answer = std::function<void(tcp::socket&, const beast::http::request<beast::http::string_body>&)>;
  explicit TestServer(Answer answer) : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), answer_(answer) {
    thread_ = std::thread([this] {
      for (;;) {
        tcp::socket socket(io_);
        beast::error_code error;
        acceptor_.accept(socket, error);
        if (error || stopping_) return;
        beast::flat_buffer buffer;
        beast::http::request<beast::http::string_body> request;
        beast::http::read(socket, buffer, request, error);
        if (!error) answer_(socket, request);
      }
    });
  }
  ~TestServer() {
    stopping_ = true;
    // Wake the accept with a connection of our own.
    tcp::socket poke(io_);
    beast::error_code ignored;
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  Answer answer_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

void Reply(tcp::socket& socket, int status, const std::string& body) {
  beast::http::response<beast::http::string_body> response{static_cast<beast::http::status>(status), 11};
  response.set("X-Echo", "yes");
  response.body() = body;
  response.prepare_payload();
  beast::error_code ignored;
  beast::http::write(socket, response, ignored);
}

TEST_CASE("the client sends method, path, headers and body and reads status, headers and body") {
  TestServer server([](tcp::socket& socket, const beast::http::request<beast::http::string_body>& request) {
    std::string echo = std::string(request.method_string()) + " " + std::string(request.target()) + " " +
                       std::string(request[beast::http::field::content_type]) + " " +
                       std::string(request["X-Zt-Test"]) + " " + request.body();
    Reply(socket, 201, echo);
  });
  auto client = HttpClient::Create(server.url() + "/base/");
  REQUIRE(client.ok());
  HttpRequest request;
  request.method = "POST";
  request.target = "/v1/things?x=1";
  request.body = R"({"a":1})";
  request.headers.emplace_back("X-Zt-Test", "42");
  auto response = client->Send(request);
  REQUIRE(response.ok());
  CHECK(response->status == 201);
  CHECK(response->body == R"(POST /base/v1/things?x=1 application/json 42 {"a":1})");
  CHECK(response->Header("x-echo") == "yes");
  CHECK(response->Header("missing").empty());
}

TEST_CASE("a host name is looked up, an address is connected to as it is") {
  TestServer server([](tcp::socket& socket, const beast::http::request<beast::http::string_body>& request) {
    Reply(socket, 200, std::string(request.target()));
  });
  const std::string port = server.url().substr(server.url().rfind(':') + 1);
  for (const std::string& host : {std::string("127.0.0.1"), std::string("localhost")}) {
    CAPTURE(host);
    auto client = HttpClient::Create("http://" + host + ":" + port);
    REQUIRE(client.ok());
    HttpRequest request;
    request.target = "/ping";
    for (int i = 0; i < 3; ++i) {  // each request on a connection of its own
      auto response = client->Send(request);
      REQUIRE(response.ok());
      CHECK(response->body == "/ping");
    }
  }
}

TEST_CASE("a server that never answers costs the caller the timeout, not more") {
  TestServer server([](tcp::socket& socket, const beast::http::request<beast::http::string_body>&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  });
  HttpClientOptions options;
  options.timeout = absl::Milliseconds(300);
  auto client = HttpClient::Create(server.url(), options);
  REQUIRE(client.ok());
  absl::Time start = absl::Now();
  auto response = client->Send({});
  CHECK(response.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(absl::Now() - start < absl::Milliseconds(900));
}

TEST_CASE("an unreachable server is UNAVAILABLE and an oversized answer RESOURCE_EXHAUSTED") {
  int free_port = 0;
  {
    asio::io_context io;
    tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    free_port = probe.local_endpoint().port();
  }
  auto closed = HttpClient::Create("http://127.0.0.1:" + std::to_string(free_port));
  REQUIRE(closed.ok());
  CHECK(closed->Send({}).status().code() == absl::StatusCode::kUnavailable);

  TestServer server([](tcp::socket& socket, const beast::http::request<beast::http::string_body>&) {
    Reply(socket, 200, std::string(4096, 'x'));
  });
  HttpClientOptions options;
  options.max_response_bytes = 1024;
  auto small = HttpClient::Create(server.url(), options);
  REQUIRE(small.ok());
  auto too_large = small->Send({});
  INFO(too_large.status().ToString() << " " << (too_large.ok() ? too_large->body.size() : 0));
  CHECK(too_large.status().code() == absl::StatusCode::kResourceExhausted);
}

TEST_CASE("only http URLs with a host and a valid port are accepted") {
  CHECK(HttpClient::Create("https://example.com:443").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(HttpClient::Create("http://:80").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(HttpClient::Create("http://host:99999").status().code() == absl::StatusCode::kInvalidArgument);
  auto plain = HttpClient::Create("http://payments.local");
  REQUIRE(plain.ok());
  CHECK(plain->port() == "80");
}

}  // namespace
}  // namespace zhongtai::http
