#include "services/gateway/openapi.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

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
  (*v.mutable_struct_value()->mutable_fields())["$ref"] = Str(absl::StrCat("#/components/schemas/", message->full_name()));
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

void AddSchema(const Descriptor* message, Struct& schemas, std::set<std::string>& done) {
  if (!done.insert(message->full_name()).second) return;
  Struct schema;
  (*schema.mutable_fields())["type"] = Str("object");
  Struct& properties = Obj(schema, "properties");
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* field = message->field(i);
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
    (*properties.mutable_fields())[field->json_name()] = std::move(property);
  }
  (*schemas.mutable_fields())[message->full_name()].mutable_struct_value()->Swap(&schema);
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
  Struct& bearer = Obj(Obj(components, "securitySchemes"), "bearer");
  (*bearer.mutable_fields())["type"] = Str("http");
  (*bearer.mutable_fields())["scheme"] = Str("bearer");
  (*bearer.mutable_fields())["bearerFormat"] = Str("JWT");
  std::set<std::string> done;
  Struct& paths = Obj(doc, "paths");
  for (const Route& route : routes.routes()) {
    Struct& op = Obj(Obj(paths, route.DisplayTemplate()), absl::AsciiStrToLower(route.http_method));
    auto& f = *op.mutable_fields();
    f["operationId"] = Str(absl::StrCat(route.method->service()->name(), ".", route.method->name()));
    f["x-grpc-method"] = Str(route.grpc_method);
    f["x-access"] = Str(AccessName(route.access));
    if (route.access != Access::kPublic) {
      Value requirement;
      (*requirement.mutable_struct_value()->mutable_fields())["bearer"].mutable_list_value();
      *f["security"].mutable_list_value()->add_values() = std::move(requirement);
    }
    auto* parameters = f["parameters"].mutable_list_value();
    std::set<const FieldDescriptor*> bound;
    for (const PathSegment& segment : route.segments) {
      if (!segment.is_field) continue;
      std::string name;
      for (const FieldDescriptor* field : segment.field) absl::StrAppend(&name, name.empty() ? "" : ".", field->json_name());
      bound.insert(segment.field.front());
      Value p;
      auto& pf = *p.mutable_struct_value()->mutable_fields();
      pf["name"] = Str(name);
      pf["in"] = Str("path");
      pf["required"].set_bool_value(true);
      pf["schema"] = ScalarSchema(segment.field.back(), schemas, done);
      *parameters->add_values() = std::move(p);
    }
    const Descriptor* input = route.method->input_type();
    if (route.body) {
      AddSchema(input, schemas, done);
      Struct& body = Obj(op, "requestBody");
      (*body.mutable_fields())["required"].set_bool_value(false);
      (*Obj(Obj(body, "content"), "application/json").mutable_fields())["schema"] = Ref(input);
    } else {
      for (int i = 0; i < input->field_count(); ++i) {
        const FieldDescriptor* field = input->field(i);
        if (bound.count(field) || field == route.request_id_field) continue;
        if (field->is_map()) continue;
        Value p;
        auto& pf = *p.mutable_struct_value()->mutable_fields();
        pf["name"] = Str(field->json_name());
        pf["in"] = Str("query");
        pf["schema"] = ScalarSchema(field, schemas, done);
        *parameters->add_values() = std::move(p);
      }
    }
    if (route.request_id_field != nullptr) {
      Value p;
      auto& pf = *p.mutable_struct_value()->mutable_fields();
      pf["name"] = Str("Idempotency-Key");
      pf["in"] = Str("header");
      (*pf["schema"].mutable_struct_value()->mutable_fields())["type"] = Str("string");
      *parameters->add_values() = std::move(p);
    }
    AddSchema(route.method->output_type(), schemas, done);
    Struct& ok = Obj(Obj(op, "responses"), "200");
    (*ok.mutable_fields())["description"] = Str("OK");
    (*Obj(Obj(ok, "content"), "application/json").mutable_fields())["schema"] = Ref(route.method->output_type());
    Struct& error = Obj(Obj(op, "responses"), "default");
    (*error.mutable_fields())["description"] = Str("An error: {\"error\": {code, status, reason, message, details}}");
  }
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(doc, &out, options);
  return out;
}

}  // namespace zhongtai::gateway
