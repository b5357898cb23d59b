#include "services/gateway/transcoder.h"

#include <cstdint>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/errors.h"
#include "services/gateway/json_reader.h"
#include "services/gateway/json_writer.h"
#include "zhongtai/api/v1/http_body.pb.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

// application/x-www-form-urlencoded decoding of one query key or value.
bool FormDecode(absl::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size() || !IsHex(in[i + 1]) || !IsHex(in[i + 2])) return false;
      int value = 0;
      absl::SimpleHexAtoi(in.substr(i + 1, 2), &value);
      out->push_back(static_cast<char>(value));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

// Proto3 strings are UTF-8: protobuf serializes a message holding other bytes (it only logs), but the upstream
// refuses to parse it, which answered a client's "%FF" in a path or query with a 500 from the upstream call.
bool IsUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0 || s.size() - i <= static_cast<size_t>(extra)) return false;
    uint32_t cp = c & (0x7F >> (extra + 1));
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

bool IsBoolLike(const FieldDescriptor* field) {
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) return true;
  return field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         field->message_type()->full_name() == "google.protobuf.BoolValue";
}

// Message types a single query value can express in proto3 JSON.
bool IsScalarLikeMessage(const Descriptor* type) {
  const std::string& name = type->full_name();
  return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration" ||
         name == "google.protobuf.FieldMask" ||
         (absl::StartsWith(name, "google.protobuf.") && absl::EndsWith(name, "Value") &&
          name != "google.protobuf.Value" && name != "google.protobuf.ListValue");
}

const FieldDescriptor* FindField(const Descriptor* message, const std::string& name) {
  if (const FieldDescriptor* f = message->FindFieldByName(name)) return f;
  for (int i = 0; i < message->field_count(); ++i) {
    if (message->field(i)->json_name() == name) return message->field(i);
  }
  return nullptr;
}

absl::Status QueryError(absl::string_view reason, absl::string_view name, absl::string_view message) {
  return InvalidArgument(name, reason, message);
}

// Adds one query parameter to `root` (a JSON object in Struct form) after checking it names a field.
absl::Status AddQueryParameter(const Descriptor* request, const Route& route, const std::string& name,
                               const std::string& value, google::protobuf::Struct* root) {
  std::vector<std::string> parts = absl::StrSplit(name, '.');
  const Descriptor* current = request;
  google::protobuf::Struct* object = root;
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* field = current == nullptr ? nullptr : FindField(current, parts[i]);
    if (field == nullptr) {
      return QueryError("UNKNOWN_QUERY_PARAMETER", name, absl::StrCat("unknown query parameter \"", name, "\""));
    }
    const std::string& key = field->json_name();
    bool last = i + 1 == parts.size();
    if (!last) {
      if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
          IsScalarLikeMessage(field->message_type())) {
        return QueryError("UNKNOWN_QUERY_PARAMETER", name, absl::StrCat("unknown query parameter \"", name, "\""));
      }
      google::protobuf::Value& nested = (*object->mutable_fields())[key];
      object = nested.mutable_struct_value();
      current = field->message_type();
      continue;
    }
    if (field->is_map() ||
        (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsScalarLikeMessage(field->message_type()))) {
      return QueryError("INVALID_QUERY_PARAMETER", name,
                        absl::StrCat("query parameter \"", name, "\" names a message; set its fields instead"));
    }
    google::protobuf::Value item;
    if (IsBoolLike(field)) {
      if (value == "true" || value == "1") {
        item.set_bool_value(true);
      } else if (value == "false" || value == "0") {
        item.set_bool_value(false);
      } else {
        return QueryError("INVALID_QUERY_PARAMETER", name,
                          absl::StrCat("query parameter \"", name, "\" must be true or false"));
      }
    } else {
      // Proto3 JSON accepts numbers and enum names as strings, so the parser checks the type.
      item.set_string_value(value);
    }
    google::protobuf::Value& slot = (*object->mutable_fields())[key];
    if (field->is_repeated()) {
      *slot.mutable_list_value()->add_values() = std::move(item);
    } else if (slot.kind_case() != google::protobuf::Value::KIND_NOT_SET) {
      return QueryError("INVALID_QUERY_PARAMETER", name, absl::StrCat("query parameter \"", name, "\" is repeated"));
    } else {
      slot = std::move(item);
    }
  }
  return absl::OkStatus();
}

absl::Status MergeQuery(const Route& route, absl::string_view query, Message* request) {
  if (query.empty()) return absl::OkStatus();
  google::protobuf::Struct root;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    std::string name, value;
    if (!FormDecode(kv.first, &name) || !FormDecode(kv.second, &value) || name.empty()) {
      return InvalidArgument("", "INVALID_QUERY_PARAMETER", "malformed query string");
    }
    if (!IsUtf8(name) || !IsUtf8(value)) {
      return InvalidArgument(IsUtf8(name) ? name : "", "INVALID_QUERY_PARAMETER",
                             "a query parameter is not UTF-8 once percent-decoded");
    }
    absl::Status status = AddQueryParameter(request->GetDescriptor(), route, name, value, &root);
    if (!status.ok()) return status;
  }
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(root, &json).ok()) {
    return Internal("QUERY_ENCODING", "cannot encode the query parameters");
  }
  std::unique_ptr<Message> parsed(request->New());
  auto status = google::protobuf::util::JsonStringToMessage(json, parsed.get());
  if (!status.ok()) {
    return InvalidArgument("", "INVALID_QUERY_PARAMETER", std::string(status.message()));
  }
  request->MergeFrom(*parsed);
  return absl::OkStatus();
}

std::string JsonPath(const FieldPath& path) {
  std::string out;
  for (const FieldDescriptor* f : path) absl::StrAppend(&out, out.empty() ? "" : ".", f->json_name());
  return out;
}

absl::Status SetScalar(Message* message, const FieldDescriptor* field, const std::string& value,
                       const std::string& field_name) {
  const Reflection* reflection = message->GetReflection();
  auto bad = [&]() {
    return InvalidArgument(field_name, "INVALID_PATH_PARAMETER",
                           absl::StrCat("path parameter \"", field_name, "\" has the wrong type"));
  };
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (field->type() == FieldDescriptor::TYPE_STRING && !IsUtf8(value)) {
        return InvalidArgument(field_name, "INVALID_PATH_PARAMETER",
                               absl::StrCat("path parameter \"", field_name, "\" is not UTF-8 once percent-decoded"));
      }
      reflection->SetString(message, field, value);
      break;
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad();
      reflection->SetInt32(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad();
      reflection->SetInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad();
      reflection->SetUInt32(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad();
      reflection->SetUInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(value, &v)) return bad();
      reflection->SetDouble(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float v;
      if (!absl::SimpleAtof(value, &v)) return bad();
      reflection->SetFloat(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(value, &v)) return bad();
      reflection->SetBool(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* enum_value = field->enum_type()->FindValueByName(value);
      int number;
      if (enum_value == nullptr && absl::SimpleAtoi(value, &number)) {
        enum_value = field->enum_type()->FindValueByNumber(number);
      }
      if (enum_value == nullptr) return bad();
      reflection->SetEnum(message, field, enum_value);
      break;
    }
    default: return bad();
  }
  return absl::OkStatus();
}

Message* MutableParent(Message* request, const FieldPath& path) {
  Message* current = request;
  for (size_t i = 0; i + 1 < path.size(); ++i) current = current->GetReflection()->MutableMessage(current, path[i]);
  return current;
}

}  // namespace

absl::Status BuildRequest(const Route& route, const RequestParts& parts, Message* request) {
  // A route that creates or pays something is only safe to retry with a key the client keeps; one the
  // gateway invented would make every retry a new order or payment.
  if (route.request_id_field != nullptr && parts.idempotency_key.empty()) {
    return InvalidArgument("Idempotency-Key", "IDEMPOTENCY_KEY_REQUIRED",
                           absl::StrCat(route.http_method, " ", route.DisplayTemplate(),
                                        " needs an Idempotency-Key header (e.g. a UUID kept for the retries)"));
  }
  if (route.body && !absl::StripAsciiWhitespace(parts.body).empty()) {
    // Read directly when the body is in ReadJson's subset (the common case, for a fraction of protobuf's CPU);
    // anything else, every error included, is parsed again by protobuf, which words the error.
    request->Clear();
    if (!ReadJson(parts.body, request)) {
      request->Clear();
      google::protobuf::util::JsonParseOptions options;
      options.ignore_unknown_fields = false;
      auto status = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(parts.body.data(), parts.body.size()), request, options);
      if (!status.ok()) return InvalidArgument("", "INVALID_JSON", std::string(status.message()));
    }
  }
  if (absl::Status status = MergeQuery(route, parts.query, request); !status.ok()) return status;
  for (const PathBinding& binding : parts.bindings) {
    Message* parent = MutableParent(request, binding.field);
    absl::Status status = SetScalar(parent, binding.field.back(), binding.value, JsonPath(binding.field));
    if (!status.ok()) return status;
  }
  if (route.request_id_field != nullptr) {
    // Checked before anything else (BuildRequest's start); here the key is the request id, overwriting any body value.
    request->GetReflection()->SetString(request, route.request_id_field, parts.idempotency_key);
  }
  return absl::OkStatus();
}

HttpResponse JsonResponse(const Message& message) {
  HttpResponse response;
  if (WriteJson(message, &response.body)) return response;
  response.body.clear();
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(message, &response.body, options).ok()) {
    return ErrorResponse(Internal("RESPONSE_ENCODING", "cannot encode the response"));
  }
  return response;
}

namespace {

// A file name safe in a quoted header value whatever the upstream sent: other characters become '_'.
std::string SafeFileName(const std::string& name) {
  std::string out;
  for (char c : name)
    out.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_');
  return out;
}

}  // namespace

HttpResponse ReplyResponse(const Message& message) {
  const FieldDescriptor* field = RawBodyField(message.GetDescriptor());
  if (field == nullptr) return JsonResponse(message);
  api::v1::HttpBody body;
  // Through the wire format: the reply may be a dynamic message of the same type.
  if (!body.ParseFromString(message.GetReflection()->GetMessage(message, field).SerializeAsString())) {
    return ErrorResponse(Internal("RESPONSE_ENCODING", "cannot encode the response"));
  }
  HttpResponse response;
  response.content_type = body.content_type().empty() ? "application/octet-stream" : body.content_type();
  response.body = std::move(*body.mutable_body());
  if (!body.file_name().empty()) {
    response.headers.emplace_back("Content-Disposition",
                                  absl::StrCat("attachment; filename=\"", SafeFileName(body.file_name()), "\""));
  }
  // A browser must not guess another type (e.g. run an HTML export as a page of this origin).
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace zhongtai::gateway
