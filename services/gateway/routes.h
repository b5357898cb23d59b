// The gateway's route table, built from the (zhongtai.api.v1.http) options of the service methods in a
// descriptor pool, and matching of an HTTP verb and path against it. Adding a route means editing a
// proto; nothing here names a route.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace zhongtai::gateway {

enum class Access { kPublic, kCustomer, kAdmin, kPartner };

const char* AccessName(Access access);  // "public", "customer", "admin", "partner"

// A path to a (possibly nested) field of a request message, e.g. {order_id} or {promotion.promotion_id}.
using FieldPath = std::vector<const google::protobuf::FieldDescriptor*>;

struct PathSegment {
  bool is_field = false;
  std::string literal;  // when !is_field
  FieldPath field;      // when is_field
};

struct Route {
  std::string http_method;    // "GET", "POST", "PATCH", "DELETE", "PUT"
  std::string path_template;  // as written in the proto, e.g. "/v1/orders/{order_id}:pay"
  std::vector<PathSegment> segments;
  std::string verb;   // custom verb after ':' in the last segment, e.g. "pay"; empty when none
  bool body = false;  // body "*": the JSON body is the request message
  Access access = Access::kPublic;
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_method;  // "/zhongtai.order.v1.OrderService/PayOrder"
  std::string upstream;     // which upstream serves it: "order" for zhongtai.order.v1
  const google::protobuf::FieldDescriptor* request_id_field = nullptr;
  // Set when the response is a raw body (RawBodyField): the media type declared for it, e.g. "text/csv".
  std::string raw_content_type;
  // kPartner: the name of the partner's secret, possibly with {field}s of the path (partner_signature.h).
  std::string partner;

  // The template with JSON field names, e.g. "/v1/orders/{orderId}:pay" (OpenAPI and metric labels).
  std::string DisplayTemplate() const;
};

struct PathBinding {
  FieldPath field;
  std::string value;  // percent-decoded
};

struct RouteMatch {
  enum class Kind { kFound, kMethodNotAllowed, kNotFound };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;       // kFound
  std::vector<PathBinding> bindings;  // kFound
  std::vector<std::string> allowed;   // kMethodNotAllowed: the verbs the path accepts
};

class RouteTable {
 public:
  RouteTable() = default;

  // Routes of every method with the http option in the services whose package is zhongtai.<upstream>.v1
  // for each of `upstreams`. INVALID_ARGUMENT when an option is malformed (unknown field, bad template,
  // two routes with the same verb and path).
  static absl::StatusOr<RouteTable> Build(const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // The services of the suite in the generated pool (product, order, marketing, user, datahub).
  static std::vector<const google::protobuf::ServiceDescriptor*> SuiteServices();

  // path: the request path without the query string, not yet percent-decoded.
  RouteMatch Match(absl::string_view http_method, absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// A response message whose only field is a zhongtai.api.v1.HttpBody (zhongtai/api/v1/http_body.proto) answers with
// that body as it is: this returns the field, or nullptr for a JSON response.
const google::protobuf::FieldDescriptor* RawBodyField(const google::protobuf::Descriptor* response);

// Parses a template against a request message; exposed for tests.
absl::StatusOr<Route> ParseTemplate(absl::string_view path_template, const google::protobuf::Descriptor* request);

// Resolves "a.b" (proto or JSON names) in `message`.
absl::StatusOr<FieldPath> ResolveFieldPath(const google::protobuf::Descriptor* message, absl::string_view path);

}  // namespace zhongtai::gateway
