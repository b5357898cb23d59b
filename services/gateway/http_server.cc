#include "services/gateway/http_server.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/gateway/rate_limiter.h"

namespace zhongtai::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::chrono::steady_clock::duration Chrono(absl::Duration d) { return absl::ToChronoNanoseconds(d); }

class Session;

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler* handler;
  BodyLimits body_limits;  // resolved in Start()
  // Before ioc: sessions held by handlers that ioc's destructor drops remove themselves here.
  std::mutex mu;
  std::condition_variable sessions_gone;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  std::unordered_map<std::string, size_t> per_client;             // open connections by peer address; guarded by mu
  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;

  Impl(HttpServerOptions o, HttpHandler* h) : options(std::move(o)), handler(h), acceptor(net::make_strand(ioc)) {}

  enum class Room { kYes, kServerFull, kClientFull };

  void Accept();
  void Refuse(tcp::socket socket, Room why);
  Room HasRoom(const std::string& peer);
  void Add(const std::shared_ptr<Session>& session, const std::string& peer);
  void Remove(Session* session, const std::string& peer);
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::string peer, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server), peer_(std::move(peer)) {}
  ~Session() { server_->Remove(this, peer_); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // From Shutdown: an idle connection is closed now; a busy one closes after its response.
  void Drain() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::kIdle) self->Close();
    });
  }

 private:
  enum class State { kIdle, kReading, kBusy, kClosed };

  // Waits (idle timeout) for the first bytes of the next request before starting the header timeout,
  // so that a keep-alive connection may idle longer than a slow sender may take over one header.
  void WaitForRequest() {
    if (server_->draining.load()) return Close();
    state_ = State::kIdle;
    if (buffer_.size() > 0) return ReadHeader();
    // A fresh connection gets the short first-byte timeout; a kept-alive one may idle longer.
    stream_.expires_after(Chrono(requests_ == 0 ? server_->options.first_byte_timeout : server_->options.idle_timeout));
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->options.header_limit));
    // The largest limit of any route until the route is known (OnHeader narrows it).
    body_limit_ = server_->body_limits.max();
    parser_->body_limit(body_limit_);
    // One deadline for the whole header, not per read: bytes trickling in do not extend it.
    stream_.expires_after(Chrono(server_->options.header_timeout));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    body_limit_ = server_->body_limits.For(absl::string_view(req.method_string().data(), req.method_string().size()),
                                           absl::string_view(req.target().data(), req.target().size()));
    if (parser_->content_length() && *parser_->content_length() > body_limit_) {
      return OnReadError(http::error::body_limit);
    }
    parser_->body_limit(body_limit_);  // what is left for a chunked body
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
      stream_.expires_after(Chrono(server_->options.write_timeout));
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(Chrono(server_->options.body_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    std::string method = parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string()) : "";
    HttpResponse response;
    if (ec == http::error::body_limit) {
      response = server_->handler->Rejected(
          method,
          InvalidArgument("", "BODY_TOO_LARGE", absl::StrCat("the body is larger than ", body_limit_, " bytes")), 413);
    } else if (ec == http::error::header_limit) {
      response =
          server_->handler->Rejected(method, InvalidArgument("", "HEADERS_TOO_LARGE", "the header is too large"), 431);
    } else {
      response = server_->handler->Rejected(method, InvalidArgument("", "BAD_HTTP_REQUEST", ec.message()), 400);
    }
    keep_alive_ = false;
    Write(std::move(response), 11);
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    state_ = State::kBusy;
    stream_.expires_never();
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.body = std::move(req.body());
    request.authorization = std::string(req[http::field::authorization]);
    request.idempotency_key = std::string(req["Idempotency-Key"]);
    request.request_id = std::string(req["X-Request-Id"]);
    request.traceparent = std::string(req["traceparent"]);
    request.signature_timestamp = std::string(req["X-Zt-Timestamp"]);
    request.signature = std::string(req["X-Zt-Signature"]);
    request.device_id = std::string(req["X-Zt-Device-Id"]);
    auto forwarded = req["X-Forwarded-For"];
    request.client_ip =
        ClientIp(peer_, absl::string_view(forwarded.data(), forwarded.size()), server_->options.trusted_proxy_hops);
    ++requests_;
    unsigned version = req.version();
    server_->handler->Handle(std::move(request), [self = shared_from_this(), version](HttpResponse response) {
      net::post(self->stream_.get_executor(), [self, version, response = std::move(response)]() mutable {
        self->Write(std::move(response), version);
      });
    });
  }

  void Write(HttpResponse out, unsigned version) {
    state_ = State::kBusy;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<unsigned>(out.status));
    res->set(http::field::content_type, out.content_type);
    res->set(http::field::cache_control, "no-store");
    // Every answer (OWASP API8): no type sniffing, never framed, nothing in it runs or loads in a browser, no referrer.
    res->set("X-Content-Type-Options", "nosniff");
    res->set("X-Frame-Options", "DENY");
    res->set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    res->set("Referrer-Policy", "no-referrer");
    for (auto& [name, value] : out.headers) res->set(name, value);
    res->body() = std::move(out.body);
    bool keep_alive = keep_alive_ && !server_->draining.load();
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(Chrono(server_->options.write_timeout));
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      if (!keep_alive) return self->LingerThenClose();
      self->WaitForRequest();
    });
  }

  // Closing a socket with unread input (e.g. the rest of a body over the limit) sends a reset, and
  // the reset can destroy the response before the client reads it. So: stop sending, read and drop
  // what the client still sends for a short while, then close (what servers call a lingering close).
  void LingerThenClose() {
    if (state_ == State::kClosed) return;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    DrainInput(std::make_shared<std::array<char, 16384>>());
  }

  void DrainInput(std::shared_ptr<std::array<char, 16384>> discard) {
    stream_.async_read_some(net::buffer(*discard), [self = shared_from_this(), discard](beast::error_code ec, size_t) {
      if (ec) return self->Close();  // the client closed too, or the linger time is up
      self->DrainInput(discard);
    });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  const std::string peer_;  // the socket peer's address
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  State state_ = State::kIdle;
  bool keep_alive_ = true;
  int64_t requests_ = 0;   // requests read on this connection
  size_t body_limit_ = 0;  // of the request being read
};

}  // namespace

HttpServer::Impl::Room HttpServer::Impl::HasRoom(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu);
  if (sessions.size() >= options.max_connections) return Room::kServerFull;
  if (options.max_connections_per_client > 0) {
    auto it = per_client.find(peer);
    if (it != per_client.end() && it->second >= options.max_connections_per_client) return Room::kClientFull;
  }
  return Room::kYes;
}

void HttpServer::Impl::Add(const std::shared_ptr<Session>& session, const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu);
  sessions[session.get()] = session;
  ++per_client[peer];
}

// Over a cap: a canned answer written without waiting (a fresh socket's send buffer is empty, so the write does not
// block; if it cannot be written at once it is dropped), then close. Costs no session, no timer. The server's cap is
// 503 (the server is full); a client's is 429 (that client holds too many).
void HttpServer::Impl::Refuse(tcp::socket socket, Room why) {
  static const std::string* const kServerFull = [] {
    std::string body =
        "{\"error\":{\"code\":503,\"status\":\"UNAVAILABLE\",\"reason\":\"TOO_MANY_CONNECTIONS\","
        "\"message\":\"the server is at its connection limit\",\"details\":[]}}";
    return new std::string(absl::StrCat("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n",
                                        "Retry-After: 1\r\nConnection: close\r\nContent-Length: ", body.size(),
                                        "\r\n\r\n", body));
  }();
  static const std::string* const kClientFull = [] {
    std::string body =
        "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"reason\":\"TOO_MANY_CONNECTIONS\","
        "\"message\":\"this client address holds as many connections as it may; reuse one\",\"details\":[]}}";
    return new std::string(absl::StrCat("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n",
                                        "Retry-After: 1\r\nConnection: close\r\nContent-Length: ", body.size(),
                                        "\r\n\r\n", body));
  }();
  if (options.on_connection_refused) options.on_connection_refused(why == Room::kClientFull);
  beast::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(net::buffer(why == Room::kClientFull ? *kClientFull : *kServerFull), ignored);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

void HttpServer::Impl::Remove(Session* session, const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(session);
  auto it = per_client.find(peer);
  if (it != per_client.end() && --it->second == 0) per_client.erase(it);
  if (sessions.empty()) sessions_gone.notify_all();
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor.is_open() || draining.load()) return;
      log::Warn("accept failed", {{"error", ec.message()}});
    } else if (draining.load()) {
      return;
    } else {
      beast::error_code peer_error;
      tcp::endpoint endpoint = socket.remote_endpoint(peer_error);
      std::string peer = peer_error ? std::string() : endpoint.address().to_string();
      // Only this strand adds sessions, so the room seen here is still there in Add.
      if (Room room = HasRoom(peer); room != Room::kYes) {
        Refuse(std::move(socket), room);
      } else {
        auto session = std::make_shared<Session>(std::move(socket), peer, this);
        Add(session, peer);
        session->Start();
      }
    }
    Accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler* handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() { Shutdown(absl::ZeroDuration()); }

size_t HttpServer::open_connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->sessions.size();
}

absl::Status HttpServer::Start() {
  absl::StatusOr<BodyLimits> limits =
      BodyLimits::Create(impl_->options.body_limit, impl_->options.route_body_limits, impl_->handler->routes());
  if (!limits.ok()) return limits.status();
  impl_->body_limits = *std::move(limits);
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listen address ", impl_->options.address));
  tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", impl_->options.address, ":", impl_->options.port, ": ", ec.message()));
  }
  port_ = acceptor.local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  int threads = std::max(1, impl_->options.io_threads);
  for (int i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return absl::OkStatus();
}

void HttpServer::Shutdown(absl::Duration drain) {
  if (impl_->stopped.exchange(true)) return;
  impl_->draining.store(true);
  if (impl_->threads.empty()) return;
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& [raw, weak] : impl_->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->Drain();
  live.clear();
  {
    std::unique_lock<std::mutex> lock(impl_->mu);
    bool drained = impl_->sessions_gone.wait_for(lock, absl::ToChronoNanoseconds(drain),
                                                 [this] { return impl_->sessions.empty(); });
    if (!drained) log::Warn("drain deadline passed", {{"connections", absl::StrCat(impl_->sessions.size())}});
  }
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

}  // namespace zhongtai::gateway
