#include "services/gateway/api_doc.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/error_reasons.h"
#include "services/gateway/route_fields.h"
#include "services/gateway/routes.h"
#include "services/gateway/transcoder.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::Message;

const RouteTable& Table() {
  static const RouteTable table = [] {
    auto built = RouteTable::Build(RouteTable::SuiteServices());
    REQUIRE(built.ok());
    return *built;
  }();
  return table;
}

std::unique_ptr<Message> New(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

TEST_CASE("api doc: every example request goes through the gateway's own transcoding") {
  for (const Route& route : Table().routes()) {
    const std::string name = absl::StrCat(route.http_method, " ", route.DisplayTemplate());
    INFO(name);
    const std::string target = ExampleTarget(route);
    INFO(target);
    const size_t question = target.find('?');
    const std::string path = target.substr(0, question);
    RouteMatch match = Table().Match(route.http_method, path);
    REQUIRE(match.kind == RouteMatch::Kind::kFound);
    CHECK(match.route == &route);

    const std::string body = ExampleRequestBody(route);
    CHECK(body.empty() == !route.body);
    RequestParts parts;
    parts.bindings = match.bindings;
    parts.query = question == std::string::npos ? absl::string_view() : absl::string_view(target).substr(question + 1);
    parts.body = body;
    parts.idempotency_key = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    std::unique_ptr<Message> request = New(route.method->input_type());
    absl::Status built = BuildRequest(route, parts, request.get());
    INFO(built.ToString());
    CHECK(built.ok());

    // The example sends none of the fields the gateway fills.
    if (route.body) {
      std::unique_ptr<Message> from_body = New(route.method->input_type());
      REQUIRE(google::protobuf::util::JsonStringToMessage(body, from_body.get()).ok());
      const auto* d = from_body->GetDescriptor();
      for (int i = 0; i < d->field_count(); ++i) {
        if (!IsServerFilled(route, d->field(i)) || d->field(i)->is_repeated()) continue;
        INFO(d->field(i)->name());
        CHECK_FALSE(from_body->GetReflection()->HasField(*from_body, d->field(i)));
      }
    }
    CHECK(ExampleResponseBody(route).size() > 2);  // never an empty {}
  }
}

TEST_CASE("api doc: every example response is proto3 JSON of the response message") {
  for (const Route& route : Table().routes()) {
    INFO(route.DisplayTemplate());
    std::unique_ptr<Message> response = New(route.method->output_type());
    google::protobuf::util::JsonParseOptions strict;
    strict.ignore_unknown_fields = false;
    CHECK(google::protobuf::util::JsonStringToMessage(ExampleResponseBody(route), response.get(), strict).ok());
    CHECK(response->ByteSizeLong() > 0);
  }
}

TEST_CASE("api doc: the document has every route and every error reason") {
  const std::string doc = ApiDocument(Table());
  for (const Route& route : Table().routes()) {
    CHECK(absl::StrContains(doc, absl::StrCat("\n### ", route.http_method, " ", route.DisplayTemplate(), "\n")));
  }
  std::set<std::string> seen;
  std::string previous;
  for (const ErrorReason& reason : ErrorReasons()) {
    INFO(reason.reason);
    CHECK(seen.insert(reason.reason).second);
    CHECK(std::string(reason.reason) > previous);  // sorted
    previous = reason.reason;
    CHECK_FALSE(reason.codes.empty());
    CHECK(std::string(reason.action).size() > 5);
    CHECK(absl::StrContains(doc, absl::StrCat("| `", reason.reason, "` | ")));
  }
  CHECK(absl::StrContains(doc, "| `METHOD_NOT_ALLOWED` | 405 | UNIMPLEMENTED |"));
  CHECK(absl::StrContains(doc, "| `SAGA_INTERRUPTED` | 409, 503 | ABORTED, UNAVAILABLE |"));
}

TEST_CASE("api doc: server-filled fields are left out of request examples") {
  for (const Route& route : Table().routes()) {
    if (!route.body) continue;
    const std::string body = ExampleRequestBody(route);
    INFO(route.DisplayTemplate() << "\n" << body);
    CHECK_FALSE(absl::StrContains(body, "\"requestId\""));
    CHECK_FALSE(absl::StrContains(body, "\"userId\""));
  }
  const Route* pay = Table().Match("POST", "/v1/orders/o_1:pay").route;
  REQUIRE(pay != nullptr);
  CHECK_FALSE(absl::StrContains(ExampleRequestBody(*pay), "orderId"));
  CHECK(absl::StartsWith(ExampleTarget(*pay), "/v1/orders/o_"));
}

TEST_CASE("api doc: PrettyJson indents and keeps strings as they are") {
  CHECK(PrettyJson(R"({"a":{"b":[1,2]},"c":{},"d":[],"e":"x{,}:\"y"})") ==
        "{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ]\n  },\n  \"c\": {},\n  \"d\": [],\n"
        "  \"e\": \"x{,}:\\\"y\"\n}");
}

}  // namespace
}  // namespace zhongtai::gateway
