// docs/api.md, generated from the route table (the protos' http options), the request and response
// message descriptors and the error reason table, so that the document cannot drift from the code.
// `zt-api-doc` writes it; the CTest test api_doc_up_to_date fails when the committed file differs.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/gateway/routes.h"

namespace zhongtai::gateway {

// Fills `message` with realistic placeholder values (chosen by field type and name: ids with their
// prefix, money in fen, RFC 3339 times, ...). With a route, the message is a request and only the fields a
// client sends are set: none the gateway fills (route_fields.h), and no nested message's own id or creation
// time. Recursion into nested messages stops at a small depth.
void FillExample(google::protobuf::Message* message, const Route* route = nullptr);

// The request target of the example: the path with its fields bound, plus the query of a body-less route.
std::string ExampleTarget(const Route& route);

// The example request body (pretty JSON) of a body "*" route; empty for other routes.
std::string ExampleRequestBody(const Route& route);

// The example 200 response body as the gateway writes it (every field printed), pretty.
std::string ExampleResponseBody(const Route& route);

// Re-indents compact JSON with two spaces; empty objects and arrays stay "{}" and "[]".
std::string PrettyJson(absl::string_view json);

// The whole of docs/api.md. `commented`: the same protos built with their source info (comments), for the
// field and method descriptions; without it the document has no descriptions.
std::string ApiDocument(const RouteTable& routes, const google::protobuf::DescriptorPool* commented = nullptr);

}  // namespace zhongtai::gateway
