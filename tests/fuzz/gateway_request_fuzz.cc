// Fuzz target: the gateway's HTTP request path, from the bytes on the socket to the gRPC request message and back
// to JSON. An input is one raw HTTP/1.1 request. It goes through what services/gateway/http_server.cc and
// gateway.cc do with it, minus the network and the upstream call:
//   Beast's request parser with the server's header limit and per-route body limits (BodyLimits),
//   the headers the server reads (ClientIp over X-Forwarded-For, X-Request-Id, traceparent, Idempotency-Key),
//   route matching (RouteTable::Match over the suite's proto-declared routes), Authenticate, the partner signature
//   check, BuildRequest (JSON body, query parameters, path fields: the JSON transcoding), and the way back:
//   JsonResponse / ReplyResponse of the built message and ErrorResponse of every error on the way.
// Unlike the gateway, each stage runs whatever the stage before answered (a request without a valid token still
// reaches the transcoder), so that every stage sees every input. Properties checked besides "no crash, no UB":
//   - the gateway's own JSON writer (json_writer.h) prints exactly what protobuf's printer does, whenever it
//     accepts the message type;
//   - every error body is valid JSON;
//   - a route match's path bindings name fields of the route's request message.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/http/signature.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/authentication.h"
#include "services/gateway/body_limits.h"
#include "services/gateway/errors.h"
#include "services/gateway/json_writer.h"
#include "services/gateway/partner_signature.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/routes.h"
#include "services/gateway/trace_context.h"
#include "services/gateway/transcoder.h"

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using namespace zhongtai::gateway;
namespace auth = zhongtai::auth;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "property violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}

struct World {
  RouteTable routes;
  BodyLimits limits;
  PartnerSecrets secrets;
  TokenVerifier verify;
  const absl::Time now = absl::FromUnixSeconds(1767225600);  // 2026-01-01

  World() {
    absl::StatusOr<RouteTable> built = RouteTable::Build(RouteTable::SuiteServices());
    if (!built.ok()) Fail("route table", built.status().ToString());
    routes = *std::move(built);
    // The production defaults (config.cc): 64 KiB, and 1 MiB for the behaviour events.
    absl::StatusOr<BodyLimits> created = BodyLimits::Create(64 << 10, {{"POST /v1/events", 1 << 20}}, routes);
    if (!created.ok()) Fail("body limits", created.status().ToString());
    limits = *std::move(created);
    secrets = {{"payment-simulator", "fuzz-secret"}, {"wms", "fuzz-secret-2"}};
    // Tokens "t.<role>.<subject>": the token parser has its own target (access_token_fuzz.cc); here a token only
    // needs to get a request past authentication now and then.
    verify = [](absl::string_view token) -> absl::StatusOr<auth::Claims> {
      std::vector<std::string> parts = absl::StrSplit(token, absl::MaxSplits('.', 2));
      if (parts.size() != 3 || parts[0] != "t") return absl::UnauthenticatedError("TOKEN_INVALID");
      auth::Claims claims;
      claims.role = parts[1];
      claims.subject = parts[2];
      return claims;
    };
  }
};

const World& TheWorld() {
  static const World* const world = new World;
  return *world;
}

void CheckJsonBody(const HttpResponse& response) {
  google::protobuf::Value parsed;
  if (!google::protobuf::util::JsonStringToMessage(response.body, &parsed).ok()) {
    Fail("error body is not JSON", response.body);
  }
}

void CheckError(const absl::Status& status, int http_status = 0) {
  if (status.ok()) return;
  CheckJsonBody(ErrorResponse(status, http_status));
}

std::string Header(const bhttp::request<bhttp::string_body>& req, bhttp::field field) {
  auto value = req[field];
  return std::string(value.data(), value.size());
}
std::string Header(const bhttp::request<bhttp::string_body>& req, const char* name) {
  auto value = req[name];
  return std::string(value.data(), value.size());
}

void Transcode(const World& world, const Route& route, RouteMatch& match, const std::string& target,
               const std::string& body, const std::string& idempotency_key) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(route.method->input_type());
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  size_t question = target.find('?');
  RequestParts parts;
  parts.bindings = match.bindings;
  parts.query = question == std::string::npos ? absl::string_view() : absl::string_view(target).substr(question + 1);
  parts.body = body;
  parts.idempotency_key = idempotency_key;
  absl::Status built = BuildRequest(route, parts, message.get());
  CheckError(built);
  if (!built.ok()) return;
  // The way back: what the gateway prints for a message of this shape (requests and replies share field kinds).
  std::string ours;
  if (WriteJson(*message, &ours)) {
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    std::string theirs;
    if (google::protobuf::util::MessageToJsonString(*message, &theirs, options).ok() && ours != theirs) {
      Fail("json_writer differs from protobuf", route.grpc_method + "\nours:   " + ours + "\ntheirs: " + theirs);
    }
  }
  HttpResponse response = JsonResponse(*message);
  (void)response;
  // The gRPC bytes the upstream would get must read back as the same message.
  std::string wire = message->SerializeAsString();
  std::unique_ptr<google::protobuf::Message> again(prototype->New());
  if (!again->ParseFromString(wire)) Fail("request does not parse back", route.grpc_method);
}

void Handle(const World& world, const bhttp::request<bhttp::string_body>& req, uint8_t knobs) {
  std::string method(req.method_string());
  std::string target(req.target());
  std::string authorization = Header(req, bhttp::field::authorization);
  std::string idempotency_key = Header(req, "Idempotency-Key");
  std::string forwarded = Header(req, "X-Forwarded-For");
  std::string client_ip = ClientIp("203.0.113.7", forwarded, knobs % 3);
  if (client_ip.empty()) Fail("empty client ip", forwarded);

  IsValidRequestId(Header(req, "X-Request-Id"));
  std::string traceparent = NextTraceparent(Header(req, "traceparent"));
  if (TraceIdOf(traceparent).empty()) Fail("NextTraceparent made an invalid traceparent", traceparent);

  absl::string_view path = absl::string_view(target).substr(0, target.find('?'));
  RouteMatch match = world.routes.Match(method, path);
  if (match.kind != RouteMatch::Kind::kFound) {
    CheckError(absl::NotFoundError("no route"), match.kind == RouteMatch::Kind::kMethodNotAllowed ? 405 : 0);
    return;
  }
  const Route& route = *match.route;
  for (const PathBinding& binding : match.bindings) {
    if (binding.field.empty()) Fail("binding without a field", route.path_template);
    const google::protobuf::Descriptor* message = route.method->input_type();
    for (const google::protobuf::FieldDescriptor* field : binding.field) {
      if (field->containing_type() != message) Fail("binding names a field of another message", route.path_template);
      message = field->message_type();
    }
  }
  absl::StatusOr<Caller> caller = Authenticate(route, authorization, world.verify);
  CheckError(caller.status());
  if (route.access == Access::kPartner) {
    SignedRequest signed_request{Header(req, "X-Zt-Timestamp"), Header(req, "X-Zt-Signature"), req.body()};
    // "sign-me" asks for the right signature, so that the signed path past the check is reached too.
    int64_t seconds = 0;
    if (signed_request.signature == "sign-me" && absl::SimpleAtoi(signed_request.timestamp, &seconds)) {
      auto secret = world.secrets.find(PartnerSecretName(route, match.bindings));
      if (secret != world.secrets.end()) {
        signed_request.signature = zhongtai::http::SignBody(secret->second, seconds, signed_request.body);
      }
    }
    CheckError(VerifyPartnerRequest(route, match.bindings, world.secrets, signed_request, world.now, absl::Minutes(5)));
  }
  // As CallUpstream: a key outside the request id alphabet is refused before the request is built.
  if (!idempotency_key.empty() && !IsValidRequestId(idempotency_key)) {
    CheckError(absl::InvalidArgumentError("IDEMPOTENCY_KEY_INVALID"));
    return;
  }
  Transcode(world, route, match, target, req.body(), idempotency_key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const World& world = TheWorld();
  if (size == 0) return 0;
  uint8_t knobs = data[0];
  boost::asio::const_buffer input(data + 1, size - 1);

  // As Session::ReadHeader / OnHeader / ReadBody: the header first (16 KiB at most, the body limit the largest of any
  // route), then the route's own limit once the target is known.
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 << 10);
  parser.body_limit(world.limits.max());
  beast::error_code ec;
  bool narrowed = false;
  while (!parser.is_done() && input.size() > 0) {
    size_t used = parser.put(input, ec);
    input += used;
    if (ec == bhttp::error::need_more) return 0;  // the server would wait for more bytes (and time out)
    if (ec) {
      // 400 BAD_HTTP_REQUEST, 413 or 431 with the parser's message.
      CheckError(absl::InvalidArgumentError(ec.message()), ec == bhttp::error::body_limit ? 413 : 400);
      return 0;
    }
    if (parser.is_header_done() && !narrowed) {
      narrowed = true;
      const auto& req = parser.get();
      size_t limit = world.limits.For(absl::string_view(req.method_string().data(), req.method_string().size()),
                                      absl::string_view(req.target().data(), req.target().size()));
      if (parser.content_length() && *parser.content_length() > limit) return 0;  // 413 before the body
      parser.body_limit(limit);
      parser.eager(true);
    }
    if (used == 0 && !parser.is_done()) return 0;
  }
  if (!parser.is_done()) return 0;
  Handle(world, parser.get(), knobs);
  return 0;
}
