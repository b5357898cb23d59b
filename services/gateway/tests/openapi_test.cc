#include "services/gateway/openapi.h"

#include <catch2/catch.hpp>
#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/routes.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

const Struct& Document() {
  static const Struct doc = [] {
    auto routes = RouteTable::Build(RouteTable::SuiteServices());
    REQUIRE(routes.ok());
    Struct parsed;
    REQUIRE(google::protobuf::util::JsonStringToMessage(OpenApiDocument(*routes, "test"), &parsed).ok());
    return parsed;
  }();
  return doc;
}

// The value at a path of object keys; fails the test when a key is missing.
const Value& At(const Struct& root, std::initializer_list<std::string> keys) {
  const Struct* current = &root;
  const Value* value = nullptr;
  for (const std::string& key : keys) {
    INFO("key " << key);
    REQUIRE(current != nullptr);
    auto it = current->fields().find(key);
    REQUIRE(it != current->fields().end());
    value = &it->second;
    current = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  return *value;
}

bool Has(const Value& object, const std::string& key) {
  return object.has_struct_value() && object.struct_value().fields().count(key) > 0;
}

// Names of the parameters of an operation, as "in:name".
std::set<std::string> Parameters(const Value& operation) {
  std::set<std::string> out;
  for (const Value& p : At(operation.struct_value(), {"parameters"}).list_value().values()) {
    out.insert(At(p.struct_value(), {"in"}).string_value() + ":" + At(p.struct_value(), {"name"}).string_value());
  }
  return out;
}

TEST_CASE("openapi: the error body is a schema that every operation's error responses use") {
  const Value& error = At(Document(), {"components", "schemas", "Error", "properties", "error"});
  for (const char* field : {"code", "status", "reason", "message", "details"}) {
    CHECK(Has(At(error.struct_value(), {"properties"}), field));
  }
  const Value& too_many = At(Document(), {"components", "responses", "Error429"});
  CHECK(At(too_many.struct_value(), {"content", "application/json", "schema", "$ref"}).string_value() ==
        "#/components/schemas/Error");
  CHECK(Has(At(too_many.struct_value(), {"headers"}), "Retry-After"));

  const Value& place = At(Document(), {"paths", "/v1/orders", "post", "responses"});
  for (const char* code : {"400", "401", "404", "409", "429", "500", "503", "504"}) {
    INFO(code);
    CHECK(At(place.struct_value(), {code, "$ref"}).string_value() ==
          std::string("#/components/responses/Error") + code);
  }
  CHECK_FALSE(Has(place, "403"));  // a customer route
  CHECK(Has(At(Document(), {"paths", "/v1/admin/products", "post", "responses"}), "403"));
  CHECK_FALSE(Has(At(Document(), {"paths", "/v1/products", "get", "responses"}), "401"));  // public
}

TEST_CASE("openapi: fields the gateway fills are not body fields, the Idempotency-Key header is a parameter") {
  const Value& place = At(Document(), {"paths", "/v1/orders", "post"});
  const Value& body = At(place.struct_value(), {"requestBody", "content", "application/json", "schema", "properties"});
  CHECK(Has(body, "lines"));
  CHECK(Has(body, "channel"));
  CHECK_FALSE(Has(body, "requestId"));  // from Idempotency-Key
  CHECK_FALSE(Has(body, "userId"));     // the user comes from the signed identity, never a field
  CHECK(Parameters(place).count("header:Idempotency-Key") == 1);

  const Value& pay = At(Document(), {"paths", "/v1/orders/{orderId}:pay", "post"});
  const Value& pay_body = At(pay.struct_value(), {"requestBody", "content", "application/json", "schema"});
  CHECK_FALSE(Has(At(pay_body.struct_value(), {"properties"}), "orderId"));  // bound by the path
  CHECK_FALSE(Has(At(pay_body.struct_value(), {"properties"}), "requestId"));
  CHECK(Parameters(pay) == std::set<std::string>{"path:orderId", "header:Idempotency-Key"});

  // Nested messages keep their full schema.
  CHECK(Has(At(Document(), {"components", "schemas", "zhongtai.order.v1.Order", "properties"}), "userId"));
}

TEST_CASE("openapi: query parameters of a GET are the request fields less the path and the user") {
  CHECK(Parameters(At(Document(), {"paths", "/v1/orders", "get"})) ==
        std::set<std::string>{"query:pageSize", "query:pageToken"});
  CHECK(Parameters(At(Document(), {"paths", "/v1/orders/{orderId}", "get"})) == std::set<std::string>{"path:orderId"});
  CHECK(Parameters(At(Document(), {"paths", "/v1/users/me", "get"})).empty());
  CHECK(Parameters(At(Document(), {"paths", "/v1/products", "get"})) ==
        std::set<std::string>{"query:attribute", "query:brandId", "query:categoryId", "query:inStockOnly",
                              "query:pageSize", "query:pageToken", "query:priceMax", "query:priceMin", "query:q",
                              "query:sort"});
  const auto dashboard = Parameters(At(Document(), {"paths", "/v1/admin/analytics/dashboard", "get"}));
  CHECK(dashboard == std::set<std::string>{"query:startTime", "query:endTime", "query:currency"});
}

TEST_CASE("openapi: non-public operations need the bearer scheme") {
  CHECK(Has(At(Document(), {"paths", "/v1/orders", "post"}), "security"));
  CHECK_FALSE(Has(At(Document(), {"paths", "/v1/users", "post"}), "security"));
  CHECK(At(Document(), {"components", "securitySchemes", "bearer", "scheme"}).string_value() == "bearer");
}

}  // namespace
}  // namespace zhongtai::gateway
