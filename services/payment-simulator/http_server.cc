#include "services/payment-simulator/http_server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace zhongtai::paysim {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int kReadTimeoutSeconds = 30;

void Serve(tcp::socket socket, const Handler& handler) {
  timeval timeout{kReadTimeoutSeconds, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code error;
    beast::http::request_parser<beast::http::string_body> parser;
    parser.body_limit(1 << 20);
    beast::http::read(socket, buffer, parser, error);
    if (error) return;
    auto& message = parser.get();
    Request request;
    request.method = std::string(message.method_string());
    std::string target(message.target());
    size_t question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    request.body = message.body();
    for (const auto& field : message) {
      request.headers[absl::AsciiStrToLower(std::string(field.name_string()))] = std::string(field.value());
    }
    Response answer = handler(request);
    beast::http::response<beast::http::string_body> response{static_cast<beast::http::status>(answer.status), 11};
    response.set(beast::http::field::content_type, "application/json");
    response.keep_alive(message.keep_alive());
    response.body() = std::move(answer.body);
    response.prepare_payload();
    beast::http::write(socket, response, error);
    if (error || !message.keep_alive()) break;
  }
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(Handler h) : handler(std::move(h)), acceptor(io) {}
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::thread accept_thread;
};

HttpServer::HttpServer(Handler handler) : impl_(std::make_unique<Impl>(std::move(handler))) {}

HttpServer::~HttpServer() {
  if (!impl_->accept_thread.joinable()) return;
  impl_->stopping = true;
  beast::error_code ignored;
  // Wake the blocking accept with a connection of our own.
  tcp::socket poke(impl_->io);
  poke.connect(impl_->acceptor.local_endpoint(), ignored);
  impl_->accept_thread.join();
}

absl::Status HttpServer::Start(const std::string& address, int port) {
  beast::error_code error;
  tcp::endpoint endpoint(asio::ip::make_address(address, error), static_cast<unsigned short>(port));
  if (error) return absl::InvalidArgumentError(absl::StrCat("bad address ", address));
  impl_->acceptor.open(endpoint.protocol(), error);
  if (!error) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl_->acceptor.bind(endpoint, error);
  if (!error) impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error)
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, ":", port, ": ", error.message()));
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([impl = impl_.get()] {
    for (;;) {
      tcp::socket socket(impl->io);
      beast::error_code accept_error;
      impl->acceptor.accept(socket, accept_error);
      if (impl->stopping) return;
      if (accept_error) continue;
      std::thread(Serve, std::move(socket), std::cref(impl->handler)).detach();
    }
  });
  return absl::OkStatus();
}

}  // namespace zhongtai::paysim
