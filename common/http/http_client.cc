#include "common/http/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace zhongtai::http {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::chrono::steady_clock::duration ToChrono(absl::Duration d) { return absl::ToChronoNanoseconds(d); }

}  // namespace

std::string HttpResponse::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

absl::StatusOr<HttpClient> HttpClient::Create(absl::string_view base_url, HttpClientOptions options) {
  constexpr absl::string_view kScheme = "http://";
  if (!absl::StartsWithIgnoreCase(base_url, kScheme)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", base_url, "\" is not an http:// URL"));
  }
  absl::string_view rest = base_url.substr(kScheme.size());
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  std::string prefix = slash == absl::string_view::npos ? "" : std::string(rest.substr(slash));
  while (absl::EndsWith(prefix, "/")) prefix.pop_back();
  size_t colon = authority.rfind(':');
  std::string host(authority.substr(0, colon));
  std::string port = colon == absl::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  int port_number = 0;
  if (host.empty() || !absl::SimpleAtoi(port, &port_number) || port_number <= 0 || port_number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("\"", base_url, "\" needs a host and a port from 1 to 65535"));
  }
  return HttpClient(std::move(host), std::move(port), std::move(prefix), options);
}

// Every step runs asynchronously on a private io_context that this thread runs until the deadline, so one slow step
// cannot hold the caller longer than the timeout.
absl::StatusOr<HttpResponse> HttpClient::Send(const HttpRequest& request) const {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  // The base URL's own path is the whole target when the request names none ("/"): a notification URL such as
  // http://gateway/v1/payments/notify/simulator is posted to as given, without a trailing slash.
  std::string target = request.target == "/" && !path_prefix_.empty() ? path_prefix_ : path_prefix_ + request.target;
  beast::http::request<beast::http::string_body> message{beast::http::string_to_verb(request.method), target, 11};
  if (message.method() == beast::http::verb::unknown) {
    return absl::InvalidArgumentError(absl::StrCat("unknown HTTP method ", request.method));
  }
  message.set(beast::http::field::host, absl::StrCat(host_, ":", port_));
  message.set(beast::http::field::connection, "close");
  for (const auto& [name, value] : request.headers) message.set(name, value);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    message.set(beast::http::field::content_type, request.content_type);
    message.body() = request.body;
    message.prepare_payload();
  }
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(options_.max_response_bytes);

  absl::Time deadline = absl::Now() + options_.timeout;
  auto remaining = [&] { return ToChrono(std::max(deadline - absl::Now(), absl::ZeroDuration())); };
  absl::Status outcome = absl::DeadlineExceededError(
      absl::StrCat("no answer from ", host_, ":", port_, " within ", absl::FormatDuration(options_.timeout)));
  auto fail = [&](const char* step, const beast::error_code& error) {
    if (error == beast::error::timeout) return;  // stays DEADLINE_EXCEEDED
    if (error == beast::http::error::body_limit) {
      outcome = absl::ResourceExhaustedError(absl::StrCat("the response from ", host_, " is too large"));
      return;
    }
    outcome = absl::UnavailableError(absl::StrCat(step, " ", host_, ":", port_, ": ", error.message()));
  };

  auto on_resolved = [&](const beast::error_code& error, tcp::resolver::results_type endpoints) {
    if (error) return fail("resolve", error);
    stream.expires_after(std::min(remaining(), ToChrono(options_.connect_timeout)));
    stream.async_connect(endpoints, [&](const beast::error_code& error, const tcp::endpoint&) {
      if (error) return fail("connect", error);
      stream.expires_after(remaining());
      beast::http::async_write(stream, message, [&](const beast::error_code& error, size_t) {
        if (error) return fail("write to", error);
        stream.expires_after(remaining());
        // Header first: Boost 1.74's parser does not enforce body_limit against a Content-Length, so this does.
        beast::http::async_read_header(stream, buffer, parser, [&](const beast::error_code& error, size_t) {
          if (error) return fail("read from", error);
          if (parser.content_length().value_or(0) > options_.max_response_bytes) {
            return fail("read from", beast::http::error::body_limit);
          }
          beast::http::async_read(stream, buffer, parser, [&](const beast::error_code& error, size_t) {
            if (error) return fail("read from", error);
            outcome = absl::OkStatus();
          });
        });
      });
    });
  };
  // An address needs no lookup: Asio's asynchronous resolver runs getaddrinfo on a thread of its own, started for each
  // io_context, so every request to an IP address started and ended a thread.
  beast::error_code not_an_address;
  const asio::ip::address address = asio::ip::make_address(host_, not_an_address);
  if (!not_an_address) {
    asio::post(io, [&, address] {
      const auto port = static_cast<unsigned short>(std::stoi(port_));
      on_resolved({}, tcp::resolver::results_type::create(tcp::endpoint(address, port), host_, port_));
    });
  } else {
    resolver.async_resolve(host_, port_, on_resolved);
  }
  io.run_for(remaining() + std::chrono::milliseconds(50));
  if (!io.stopped()) {
    // Only the resolver can still be busy here (the stream's own timer ends the other steps): give up on it.
    resolver.cancel();
    beast::error_code ignored;
    stream.socket().close(ignored);
    io.run_for(std::chrono::milliseconds(100));
  }
  if (!outcome.ok()) return outcome;

  auto& response = parser.get();
  HttpResponse out;
  out.status = response.result_int();
  for (const auto& field : response)
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(response.body());
  return out;
}

}  // namespace zhongtai::http
