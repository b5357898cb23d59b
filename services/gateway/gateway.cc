#include "services/gateway/gateway.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/client.h"
#include "common/server/identity.h"
#include "common/server/security.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/gateway/authentication.h"
#include "services/gateway/catalogue_reply_cache.h"
#include "services/gateway/errors.h"
#include "services/gateway/openapi.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/trace_context.h"

#ifndef ZT_VERSION
#define ZT_VERSION "dev"
#endif

namespace zhongtai::gateway {
namespace {

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";

std::string MethodLabel(const std::string& method) {
  static const std::set<std::string> kKnown = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
  return kKnown.count(method) ? method : "OTHER";
}

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool FromByteBuffer(const grpc::ByteBuffer& buffer, std::string* out) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  out->clear();
  for (const grpc::Slice& slice : slices) out->append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return true;
}

// grpc.health.v1.HealthCheckResponse is one enum field (1: status); SERVING is 1.
bool IsServing(const std::string& response) {
  return response.size() >= 2 && response[0] == 0x08 && response[1] == 0x01;
}

}  // namespace

struct Gateway::Upstream {
  std::string name;
  std::string target;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
};

struct Gateway::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : requests(prometheus::BuildCounter()
                     .Name("http_server_requests_total")
                     .Help("HTTP requests answered, by verb, route template and status code.")
                     .Register(registry)),
        duration(prometheus::BuildHistogram()
                     .Name("http_server_request_duration_seconds")
                     .Help("Time from a parsed request to its response, by verb and route template.")
                     .Register(registry)) {}
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& duration;
};

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(GatewayOptions options, prometheus::Registry& registry) {
  absl::StatusOr<RouteTable> routes = RouteTable::Build(RouteTable::SuiteServices());
  if (!routes.ok()) return routes.status();
  for (const Route& route : routes->routes()) {
    if (options.upstreams.count(route.upstream) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("no address for upstream \"", route.upstream, "\" of ",
                                                     route.http_method, " ", route.path_template));
    }
  }
  if (!options.verify_token) return absl::InvalidArgumentError("a token verifier is required");
  return std::unique_ptr<Gateway>(new Gateway(std::move(options), *std::move(routes), registry));
}

Gateway::Gateway(GatewayOptions options, RouteTable routes, prometheus::Registry& registry)
    : options_(std::move(options)),
      routes_(std::move(routes)),
      openapi_(OpenApiDocument(routes_, ZT_VERSION)),
      metrics_(std::make_unique<Metrics>(registry)) {
  for (const auto& [name, target] : options_.upstreams) {
    // Every service the routes reach on this backend: each method keeps its own timeout and retry policy.
    std::vector<std::string> services;
    for (const Route& route : routes_.routes()) {
      const std::string& service = route.method->service()->full_name();
      if (route.upstream == name && std::find(services.begin(), services.end(), service) == services.end()) {
        services.push_back(service);
      }
    }
    if (services.empty()) continue;  // no route goes there
    auto upstream = std::make_unique<Upstream>();
    upstream->name = name;
    upstream->target = target;
    upstream->channel = server::MakeChannel(target, services);
    upstream->stub = std::make_unique<grpc::GenericStub>(upstream->channel);
    upstreams_[name] = std::move(upstream);
  }
  // Series for every route exist before traffic, so that rate() and absent() work from the start.
  // The request counter starts with the success code and the 5xx codes the SLO rules count, so a route's
  // fault ratio reads 0, not "no data", until its first failure.
  for (const Route& route : routes_.routes()) {
    metrics_->duration.Add({{"method", route.http_method}, {"route", route.path_template}}, metrics::LatencyBuckets());
    for (const char* code : {"200", "500", "503", "504"}) {
      metrics_->requests.Add({{"method", route.http_method}, {"route", route.path_template}, {"code", code}});
    }
  }
  metrics::ClientMetrics().ForMethod(kHealthCheck);
}

Gateway::~Gateway() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return calls_in_flight_ == 0; });
}

void Gateway::Record(const std::string& method, const std::string& route, int status, absl::Time start) {
  std::string verb = MethodLabel(method);
  metrics_->requests.Add({{"method", verb}, {"route", route}, {"code", absl::StrCat(status)}}).Increment();
  metrics_->duration.Add({{"method", verb}, {"route", route}}, metrics::LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(absl::Now() - start));
}

HttpResponse Gateway::Rejected(const std::string& method, const absl::Status& status, int http_status) {
  HttpResponse response = ErrorResponse(status, http_status);
  response.headers.emplace_back("X-Request-Id", ids::RandomHex(32));
  Record(method, "UNMATCHED", response.status, absl::Now());
  return response;
}

void Gateway::Handle(HttpRequest request, std::function<void(HttpResponse)> done) {
  absl::Time start = absl::Now();
  std::string request_id = IsValidRequestId(request.request_id) ? request.request_id : ids::RandomHex(32);
  std::string traceparent = NextTraceparent(request.traceparent);
  request.traceparent = traceparent;
  absl::string_view target = request.target;
  absl::string_view path = target.substr(0, target.find('?'));

  // Every exit goes through `finish`: request id header, metrics and the access log line.
  auto finish = [this, start, request_id, traceparent, method = request.method, path = std::string(path),
                 done = std::move(done)](const std::string& route, HttpResponse response) {
    response.headers.emplace_back("X-Request-Id", request_id);
    Record(method, route, response.status, start);
    log::ScopedRequestContext scope({request_id, TraceIdOf(traceparent), ""});
    log::Write(response.status >= 500 ? log::Level::kWarn : log::Level::kInfo, "http request",
               {{"method", method},
                {"route", route},
                {"status", absl::StrCat(response.status)},
                {"duration_ms", absl::StrCat(absl::ToDoubleMilliseconds(absl::Now() - start))}});
    done(std::move(response));
  };

  if (request.method == "GET" && path == "/healthz") {
    HttpResponse response;
    response.body = "{\"status\":\"ok\"}";
    return finish("/healthz", std::move(response));
  }
  if (request.method == "GET" && path == "/readyz") {
    return CheckReady([finish](HttpResponse response) { finish("/readyz", std::move(response)); });
  }
  if (request.method == "GET" && path == "/openapi.json") {
    HttpResponse response;
    response.body = openapi_;
    return finish("/openapi.json", std::move(response));
  }

  RouteMatch match = routes_.Match(request.method, path);
  if (match.kind == RouteMatch::Kind::kNotFound) {
    return finish("UNMATCHED", ErrorResponse(NotFound("ROUTE_NOT_FOUND", absl::StrCat("no route for ", path))));
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    HttpResponse response = ErrorResponse(
        Error(absl::StatusCode::kUnimplemented, "METHOD_NOT_ALLOWED",
              absl::StrCat(request.method, " is not allowed here; use ", absl::StrJoin(match.allowed, ", "))),
        405);
    response.headers.emplace_back("Allow", absl::StrJoin(match.allowed, ", "));
    return finish("UNMATCHED", std::move(response));
  }
  const Route& route = *match.route;
  CallUpstream(route, std::move(match), std::move(request), request_id,
               [finish, label = route.path_template](HttpResponse response) { finish(label, std::move(response)); });
}

void Gateway::CallUpstream(const Route& route, RouteMatch match, HttpRequest request, const std::string& request_id,
                           std::function<void(HttpResponse)> done) {
  // The address first: a client over its limit costs no token verification, however many tokens it makes up.
  if (options_.rate_limiter != nullptr) {
    if (std::optional<HttpResponse> limited = options_.rate_limiter->AdmitClient(route, request.client_ip)) {
      return done(std::move(*limited));
    }
  }
  absl::StatusOr<Caller> caller = Authenticate(route, request.authorization, options_.verify_token);
  if (!caller.ok()) return done(ErrorResponse(caller.status()));
  if (route.access == Access::kPartner) {
    absl::Status signed_ok = VerifyPartnerRequest(route, match.bindings, options_.partner_secrets,
                                                  {request.signature_timestamp, request.signature, request.body},
                                                  absl::Now(), options_.signature_max_age);
    if (!signed_ok.ok()) return done(ErrorResponse(signed_ok));
  }
  if (options_.rate_limiter != nullptr) {
    if (std::optional<HttpResponse> limited = options_.rate_limiter->AdmitUser(*caller)) {
      return done(std::move(*limited));
    }
  }
  if (!request.idempotency_key.empty() && !IsValidRequestId(request.idempotency_key)) {
    return done(ErrorResponse(InvalidArgument("Idempotency-Key", "IDEMPOTENCY_KEY_INVALID",
                                              "Idempotency-Key must be 1 to 128 of A-Z a-z 0-9 . _ : -")));
  }
  if (!request.device_id.empty() && !IsValidRequestId(request.device_id)) {
    return done(ErrorResponse(InvalidArgument("X-Zt-Device-Id", "DEVICE_ID_INVALID",
                                              "X-Zt-Device-Id must be 1 to 128 of A-Z a-z 0-9 . _ : -")));
  }

  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(route.method->input_type());
  // The request message lives on an arena until it is serialized: a body of many items (500 behaviour events of
  // POST /v1/events) is thousands of objects that the heap would allocate and free one by one.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = 4 * 1024;
  arena_options.max_block_size = 64 * 1024;  // under glibc's mmap threshold: blocks come from the heap
  google::protobuf::Arena arena(arena_options);
  google::protobuf::Message* message = prototype->New(&arena);
  absl::string_view target = request.target;
  size_t question = target.find('?');
  RequestParts parts;
  parts.bindings = std::move(match.bindings);
  parts.query = question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);
  parts.body = request.body;
  parts.idempotency_key = request.idempotency_key;
  if (absl::Status status = BuildRequest(route, parts, message); !status.ok()) {
    return done(ErrorResponse(status));
  }

  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
  };
  auto call = std::make_shared<Call>();
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + options_.upstream_timeout));
  call->context.AddMetadata("x-request-id", request_id);
  call->context.AddMetadata("traceparent", request.traceparent);
  if (caller->authenticated) call->context.AddMetadata(server::kUserTokenMetadata, caller->token);
  if (!request.device_id.empty()) call->context.AddMetadata(server::kDeviceIdMetadata, request.device_id);
  // Without TLS (development only) the upstream knows its caller only by this claim.
  if (server::ProcessSecurity().plaintext) call->context.AddMetadata(server::kCallerServiceMetadata, "gateway");
  std::string serialized = message->SerializeAsString();
  // A public catalogue read the gateway keeps: answered from memory while no change was heard, else asked and kept
  // under the generation read now (an answer that may predate a change heard meanwhile is not kept).
  CatalogueReplyCache* replies = options_.catalogue_replies;
  std::string reply_key;
  uint64_t reply_generation = 0;
  if (replies != nullptr && route.access == Access::kPublic && route.http_method == "GET" &&
      replies->Caches(route.grpc_method)) {
    reply_key = absl::StrCat(route.grpc_method, "\n", serialized);
    reply_generation = replies->generation();
    if (std::optional<HttpResponse> kept = replies->Get(reply_key)) return done(std::move(*kept));
  }
  call->request = ToByteBuffer(serialized);
  Upstream& upstream = *upstreams_.at(route.upstream);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_in_flight_;
  }
  const google::protobuf::Descriptor* output = route.method->output_type();
  upstream.stub->UnaryCall(
      &call->context, route.grpc_method, grpc::StubOptions(), &call->request, &call->response,
      [this, call, output, upstream_name = upstream.name, channel = upstream.channel.get(),
       memo = route.access == Access::kPublic && route.http_method == "GET",
       replies = reply_key.empty() ? nullptr : replies, reply_key, reply_generation,
       done = std::move(done)](grpc::Status status) mutable {
        // Reads wait for a ready backend until the deadline; if none became ready the service is
        // down (503), not slow (504).
        if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
            channel->GetState(/*try_to_connect=*/false) != GRPC_CHANNEL_READY) {
          status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "no ready backend");
        }
        HttpResponse response;
        if (status.ok()) {
          std::string bytes;
          bool read = FromByteBuffer(call->response, &bytes);
          auto write = [&]() -> HttpResponse {
            std::unique_ptr<google::protobuf::Message> reply(
                google::protobuf::MessageFactory::generated_factory()->GetPrototype(output)->New());
            if (read && reply->ParseFromString(bytes)) return ReplyResponse(*reply);
            return ErrorResponse(Internal("BAD_UPSTREAM_RESPONSE", "the upstream answer could not be read"));
          };
          response = read && memo ? public_reads_.Respond(output, bytes, write) : write();
          if (replies != nullptr) replies->Put(reply_key, reply_generation, response);
        } else {
          response = ErrorResponse(PublicUpstreamStatus(FromGrpcStatus(status, call->context), upstream_name));
        }
        done(std::move(response));
        // `done` holds the HTTP session: drop it before this call counts as finished, not when gRPC destroys this
        // callback later on its thread, by then maybe after ~Gateway and the HttpServer whose io_context the
        // session's timer belongs to (AddressSanitizer: heap-use-after-free in ~Session).
        done = nullptr;
        std::lock_guard<std::mutex> lock(mu_);
        if (--calls_in_flight_ == 0) idle_.notify_all();
      });
}

void Gateway::CheckReady(std::function<void(HttpResponse)> done) {
  if (draining_.load()) {
    HttpResponse response;
    response.status = 503;
    response.body = "{\"status\":\"draining\"}";
    return done(std::move(response));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (absl::Now() - ready_checked_ < options_.ready_cache) {
      HttpResponse response;
      response.status = ready_ ? 200 : 503;
      response.body = ready_body_;
      return done(std::move(response));
    }
    if (upstreams_.empty()) {
      HttpResponse response;
      response.body = "{\"status\":\"ready\",\"upstreams\":{}}";
      return done(std::move(response));
    }
    calls_in_flight_ += static_cast<int>(upstreams_.size());
  }
  struct Check {
    std::mutex mu;
    std::map<std::string, std::string> states;
    size_t pending = 0;
    std::function<void(HttpResponse)> done;
  };
  auto check = std::make_shared<Check>();
  check->pending = upstreams_.size();
  check->done = std::move(done);
  static const std::string kEmptyRequest;  // HealthCheckRequest{service: ""}: the whole server
  for (const auto& [name, upstream] : upstreams_) {
    struct Call {
      grpc::ClientContext context;
      grpc::ByteBuffer request;
      grpc::ByteBuffer response;
    };
    auto call = std::make_shared<Call>();
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + options_.health_timeout));
    call->request = ToByteBuffer(kEmptyRequest);
    upstream->stub->UnaryCall(
        &call->context, kHealthCheck, grpc::StubOptions(), &call->request, &call->response,
        [this, call, check, name = name](grpc::Status status) mutable {
          std::string bytes;
          std::string state = !status.ok() ? absl::StrCat("UNREACHABLE: ", metrics::CodeName(status.error_code()))
                              : (FromByteBuffer(call->response, &bytes) && IsServing(bytes)) ? "SERVING"
                                                                                             : "NOT_SERVING";
          bool last = false;
          {
            std::lock_guard<std::mutex> lock(check->mu);
            check->states[name] = state;
            last = --check->pending == 0;
          }
          if (last) {
            bool ready = true;
            std::string body = "{\"upstreams\":{";
            bool first = true;
            for (const auto& [upstream_name, upstream_state] : check->states) {
              ready = ready && upstream_state == "SERVING";
              absl::StrAppend(&body, first ? "" : ",", "\"", upstream_name, "\":\"", upstream_state, "\"");
              first = false;
            }
            absl::StrAppend(&body, "},\"status\":\"", ready ? "ready" : "not ready", "\"}");
            {
              std::lock_guard<std::mutex> lock(mu_);
              ready_checked_ = absl::Now();
              ready_ = ready;
              ready_body_ = body;
            }
            HttpResponse response;
            response.status = ready ? 200 : 503;
            response.body = std::move(body);
            check->done(std::move(response));
          }
          // The check holds `done`, so the HTTP session: every callback lets go of it before it counts as finished
          // (see the proxied call above).
          check.reset();
          std::lock_guard<std::mutex> lock(mu_);
          if (--calls_in_flight_ == 0) idle_.notify_all();
        });
  }
}

}  // namespace zhongtai::gateway
