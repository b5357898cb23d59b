#include "services/gateway/openapi.h"

#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/route_fields.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Struct;
using google::protobuf::Value;

Value Str(absl::string_view s) {
  Value v;
  v.set_string_value(std::string(s));
  return v;
}

Struct& Obj(Struct& parent, const std::string& key) { return *(*parent.mutable_fields())[key].mutable_struct_value(); }

Value Ref(const Descriptor* message) {
  Value v;
  (*v.mutable_struct_value()->mutable_fields())["$ref"] =
      Str(absl::StrCat("#/components/schemas/", message->full_name()));
  return v;
}

void AddSchema(const Descriptor* message, Struct& schemas, std::set<std::string>& done);

// The schema of one value of `field` (ignoring repetition), in proto3 JSON terms.
Value ScalarSchema(const FieldDescriptor* field, Struct& schemas, std::set<std::string>& done) {
  Value v;
  Struct& s = *v.mutable_struct_value();
  auto& f = *s.mutable_fields();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32:
      f["type"] = Str("integer");
      f["format"] = Str("int32");
      break;
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64:
      f["type"] = Str("string");
      f["format"] = Str("int64");
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: f["type"] = Str("number"); break;
    case FieldDescriptor::CPPTYPE_BOOL: f["type"] = Str("boolean"); break;
    case FieldDescriptor::CPPTYPE_STRING:
      f["type"] = Str("string");
      if (field->type() == FieldDescriptor::TYPE_BYTES) f["format"] = Str("byte");
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      f["type"] = Str("string");
      auto* values = f["enum"].mutable_list_value();
      for (int i = 0; i < field->enum_type()->value_count(); ++i) {
        *values->add_values() = Str(field->enum_type()->value(i)->name());
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const std::string& name = field->message_type()->full_name();
      if (name == "google.protobuf.Timestamp") {
        f["type"] = Str("string");
        f["format"] = Str("date-time");
      } else if (name == "google.protobuf.Duration") {
        f["type"] = Str("string");
      } else {
        AddSchema(field->message_type(), schemas, done);
        return Ref(field->message_type());
      }
      break;
    }
  }
  return v;
}

// The schema of `field` itself: an array for a repeated field, an object for a map.
Value FieldSchema(const FieldDescriptor* field, Struct& schemas, std::set<std::string>& done) {
  Value property;
  if (field->is_map()) {
    auto& f = *property.mutable_struct_value()->mutable_fields();
    f["type"] = Str("object");
    f["additionalProperties"] = ScalarSchema(field->message_type()->map_value(), schemas, done);
  } else if (field->is_repeated()) {
    auto& f = *property.mutable_struct_value()->mutable_fields();
    f["type"] = Str("array");
    f["items"] = ScalarSchema(field, schemas, done);
  } else {
    property = ScalarSchema(field, schemas, done);
  }
  return property;
}

void AddSchema(const Descriptor* message, Struct& schemas, std::set<std::string>& done) {
  if (!done.insert(message->full_name()).second) return;
  Struct schema;
  (*schema.mutable_fields())["type"] = Str("object");
  Struct& properties = Obj(schema, "properties");
  for (int i = 0; i < message->field_count(); ++i) {
    (*properties.mutable_fields())[message->field(i)->json_name()] = FieldSchema(message->field(i), schemas, done);
  }
  (*schemas.mutable_fields())[message->full_name()].mutable_struct_value()->Swap(&schema);
}

Value Object(std::initializer_list<std::pair<const char*, Value>> fields) {
  Value v;
  auto& f = *v.mutable_struct_value()->mutable_fields();
  for (const auto& [key, value] : fields) f[key] = value;
  return v;
}

Value Bool(bool b) {
  Value v;
  v.set_bool_value(b);
  return v;
}

Value Number(double n) {
  Value v;
  v.set_number_value(n);
  return v;
}

Value RefTo(absl::string_view path) { return Object({{"$ref", Str(path)}}); }

Value List(std::initializer_list<Value> items) {
  Value v;
  for (const Value& item : items) *v.mutable_list_value()->add_values() = item;
  return v;
}

// Message types a single query value can carry (proto3 JSON writes them as one string).
bool IsScalarLike(const FieldDescriptor* field) {
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
  const std::string& name = field->message_type()->full_name();
  return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration";
}

// The query parameter(s) of one field of a body-less route: a scalar by its JSON name, the fields of a
// nested message as "parent.child" (the transcoder accepts both); maps and repeated messages have none.
void AddQueryParameter(const FieldDescriptor* field, const std::string& prefix, int depth, Struct& schemas,
                       std::set<std::string>& done, google::protobuf::ListValue* parameters) {
  const std::string name = absl::StrCat(prefix, field->json_name());
  if (field->is_map()) return;
  if (!IsScalarLike(field)) {
    if (field->is_repeated() || depth >= 3) return;
    const Descriptor* message = field->message_type();
    for (int i = 0; i < message->field_count(); ++i) {
      AddQueryParameter(message->field(i), absl::StrCat(name, "."), depth + 1, schemas, done, parameters);
    }
    return;
  }
  Value schema = ScalarSchema(field, schemas, done);
  if (field->is_repeated()) schema = Object({{"type", Str("array")}, {"items", schema}});
  *parameters->add_values() = Object({{"name", Str(name)}, {"in", Str("query")}, {"schema", schema}});
}

// The JSON error body of every failure: {"error": {code, status, reason, message, details}}.
Value ErrorSchema() {
  Value status_enum;
  for (int code = 0; code <= 16; ++code) {
    *status_enum.mutable_list_value()->add_values() =
        Str(absl::StatusCodeToString(static_cast<absl::StatusCode>(code)));
  }
  Value detail = Object(
      {{"type", Str("object")},
       {"properties",
        Object({{"field", Object({{"type", Str("string")}, {"description", Str("The request field at fault.")}})}})}});
  Value error = Object(
      {{"type", Str("object")},
       {"required", List({Str("code"), Str("status"), Str("reason"), Str("message"), Str("details")})},
       {"properties",
        Object({{"code", Object({{"type", Str("integer")},
                                 {"format", Str("int32")},
                                 {"description", Str("The HTTP status code.")}})},
                {"status", Object({{"type", Str("string")},
                                   {"enum", status_enum},
                                   {"description", Str("The canonical gRPC status name.")}})},
                {"reason", Object({{"type", Str("string")},
                                   {"description", Str("Machine-readable UPPER_SNAKE reason; docs/api.md lists each "
                                                       "with what a client should do.")}})},
                {"message", Object({{"type", Str("string")}, {"description", Str("For people; may change.")}})},
                {"details", Object({{"type", Str("array")}, {"items", detail}})}})}});
  return Object(
      {{"type", Str("object")}, {"required", List({Str("error")})}, {"properties", Object({{"error", error}})}});
}

Value ErrorResponseObject(absl::string_view description, bool retry_after) {
  Value response =
      Object({{"description", Str(description)},
              {"content", Object({{"application/json", Object({{"schema", RefTo("#/components/schemas/Error")}})}})}});
  if (retry_after) {
    (*response.mutable_struct_value()->mutable_fields())["headers"] =
        Object({{"Retry-After", Object({{"description", Str("Seconds to wait before retrying.")},
                                        {"schema", Object({{"type", Str("integer")}})}})}});
  }
  return response;
}

}  // namespace

std::string OpenApiDocument(const RouteTable& routes, absl::string_view version) {
  Struct doc;
  auto& top = *doc.mutable_fields();
  top["openapi"] = Str("3.0.3");
  Struct& info = Obj(doc, "info");
  (*info.mutable_fields())["title"] = Str("Zhongtai channel API");
  (*info.mutable_fields())["version"] = Str(version);
  Struct& components = Obj(doc, "components");
  Struct& schemas = Obj(components, "schemas");
  (*schemas.mutable_fields())["Error"] = ErrorSchema();
  Struct& bearer = Obj(Obj(components, "securitySchemes"), "bearer");
  (*bearer.mutable_fields())["type"] = Str("http");
  (*bearer.mutable_fields())["scheme"] = Str("bearer");
  (*bearer.mutable_fields())["bearerFormat"] = Str("JWT");
  // Error responses, shared by every operation; HttpStatusOf (transcoder.cc) maps the codes.
  struct ErrorStatus {
    const char* code;
    const char* description;
  };
  static const ErrorStatus kErrors[] = {
      {"400", "INVALID_ARGUMENT, FAILED_PRECONDITION or OUT_OF_RANGE: see reason."},
      {"401", "UNAUTHENTICATED: no, an expired or an invalid access token."},
      {"403", "PERMISSION_DENIED."},
      {"404", "NOT_FOUND (also another user's resource)."},
      {"409", "ALREADY_EXISTS or ABORTED (retry with the same Idempotency-Key)."},
      {"429", "RESOURCE_EXHAUSTED: retry after Retry-After seconds."},
      {"500", "INTERNAL, UNKNOWN or DATA_LOSS."},
      {"501", "UNIMPLEMENTED."},
      {"503", "UNAVAILABLE: retry with backoff."},
      {"504", "DEADLINE_EXCEEDED: the outcome is unknown; retry with the same Idempotency-Key."},
  };
  Struct& responses = Obj(components, "responses");
  for (const ErrorStatus& e : kErrors) {
    (*responses.mutable_fields())[absl::StrCat("Error", e.code)] =
        ErrorResponseObject(e.description, absl::string_view(e.code) == "429");
  }
  std::set<std::string> done;
  Struct& paths = Obj(doc, "paths");
  for (const Route& route : routes.routes()) {
    Struct& op = Obj(Obj(paths, route.DisplayTemplate()), absl::AsciiStrToLower(route.http_method));
    auto& f = *op.mutable_fields();
    f["operationId"] = Str(absl::StrCat(route.method->service()->name(), ".", route.method->name()));
    f["tags"] = List({Str(route.upstream)});
    f["x-grpc-method"] = Str(route.grpc_method);
    f["x-access"] = Str(AccessName(route.access));
    if (route.access == Access::kCustomer || route.access == Access::kAdmin) {
      Value requirement;
      (*requirement.mutable_struct_value()->mutable_fields())["bearer"].mutable_list_value();
      *f["security"].mutable_list_value()->add_values() = std::move(requirement);
    }
    auto* parameters = f["parameters"].mutable_list_value();
    for (const PathSegment& segment : route.segments) {
      if (!segment.is_field) continue;
      std::string name;
      for (const FieldDescriptor* field : segment.field)
        absl::StrAppend(&name, name.empty() ? "" : ".", field->json_name());
      Value p;
      auto& pf = *p.mutable_struct_value()->mutable_fields();
      pf["name"] = Str(name);
      pf["in"] = Str("path");
      pf["required"].set_bool_value(true);
      pf["schema"] = ScalarSchema(segment.field.back(), schemas, done);
      *parameters->add_values() = std::move(p);
    }
    const std::vector<const FieldDescriptor*> client_fields = ClientFields(route);
    if (route.body) {
      // The request message less the fields the gateway fills, so a client is not offered them.
      Struct body_schema;
      (*body_schema.mutable_fields())["type"] = Str("object");
      Struct& properties = Obj(body_schema, "properties");
      for (const FieldDescriptor* field : client_fields) {
        (*properties.mutable_fields())[field->json_name()] = FieldSchema(field, schemas, done);
      }
      Struct& body = Obj(op, "requestBody");
      (*body.mutable_fields())["required"].set_bool_value(false);
      Value schema;
      schema.mutable_struct_value()->Swap(&body_schema);
      (*Obj(Obj(body, "content"), "application/json").mutable_fields())["schema"] = std::move(schema);
    } else {
      for (const FieldDescriptor* field : client_fields) AddQueryParameter(field, "", 0, schemas, done, parameters);
    }
    if (route.request_id_field != nullptr) {
      Value p = Object(
          {{"name", Str("Idempotency-Key")},
           {"in", Str("header")},
           {"required", Bool(true)},
           {"description", Str(absl::StrCat("Required (400 IDEMPOTENCY_KEY_REQUIRED without it). Makes the call safe "
                                            "to retry: a repeat with the same key returns the first "
                                            "result; the same key with a different body is 409 IDEMPOTENCY_KEY_REUSED. "
                                            "The gateway puts it in the request's ",
                                            route.request_id_field->json_name(), "."))},
           {"schema",
            Object(
                {{"type", Str("string")}, {"maxLength", Number(128)}, {"pattern", Str("^[A-Za-z0-9._:-]{1,128}$")}})}});
      *parameters->add_values() = std::move(p);
    }
    Struct& op_responses = Obj(op, "responses");
    Struct& ok = Obj(op_responses, "200");
    if (!route.raw_content_type.empty()) {
      // An HttpBody response (zhongtai/api/v1/http_body.proto): the body as it is, not JSON.
      (*ok.mutable_fields())["description"] = Str("OK: the document itself (errors are JSON)");
      (*Obj(Obj(ok, "content"), route.raw_content_type).mutable_fields())["schema"] = Object({{"type", Str("string")}});
    } else {
      AddSchema(route.method->output_type(), schemas, done);
      (*ok.mutable_fields())["description"] = Str("OK");
      (*Obj(Obj(ok, "content"), "application/json").mutable_fields())["schema"] = Ref(route.method->output_type());
    }
    for (const ErrorStatus& e : kErrors) {
      absl::string_view code = e.code;
      if (code == "401" && route.access == Access::kPublic) continue;
      if (code == "403" && route.access != Access::kAdmin) continue;
      if (code == "501") continue;
      (*op_responses.mutable_fields())[std::string(code)] = RefTo(absl::StrCat("#/components/responses/Error", code));
    }
    (*op_responses.mutable_fields())["default"] = RefTo("#/components/responses/Error500");
  }
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(doc, &out, options);
  return out;
}

}  // namespace zhongtai::gateway
