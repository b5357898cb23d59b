#include "services/gateway/json_writer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/timestamp.pb.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsTimestamp(const Descriptor* type) { return type->full_name() == "google.protobuf.Timestamp"; }

// Whether every field of `type`, recursively, is a kind this writer handles. Cached per type.
bool Supported(const Descriptor* type) {
  static std::mutex mu;
  static std::unordered_map<const Descriptor*, bool> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(type); it != cache.end()) return it->second;
    cache[type] = true;  // assume yes while recursing, so recursive types terminate
  }
  bool ok =
      type->file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3 && type->extension_range_count() == 0;
  for (int i = 0; ok && i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_FLOAT: ok = false; break;
      case FieldDescriptor::CPPTYPE_STRING: ok = field->type() != FieldDescriptor::TYPE_BYTES; break;
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        const Descriptor* sub = field->message_type();
        if (IsTimestamp(sub)) break;
        if (sub->file()->package() == "google.protobuf" && !field->is_map()) {
          ok = false;  // Any, Struct, Value, wrappers, Duration, FieldMask: their JSON is special
          break;
        }
        ok = Supported(sub);
        break;
      }
      default: break;
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  cache[type] = ok;
  return ok;
}

void AppendEscaped(absl::string_view text, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': out->append("\\\""); continue;
      case '\\': out->append("\\\\"); continue;
      case '\b': out->append("\\b"); continue;
      case '\f': out->append("\\f"); continue;
      case '\n': out->append("\\n"); continue;
      case '\r': out->append("\\r"); continue;
      case '\t': out->append("\\t"); continue;
      case '<': out->append("\\u003c"); continue;  // as protobuf does, so JSON is safe inside HTML
      case '>': out->append("\\u003e"); continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xf]);
    } else if (c == 0xe2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(text[i + 2]) == 0xa8 || static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
      // U+2028 and U+2029 end lines in JavaScript; protobuf escapes them too.
      out->append(static_cast<unsigned char>(text[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029");
      i += 2;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

void AppendTimestamp(const Message& message, std::string* out) {
  const Reflection* reflection = message.GetReflection();
  const Descriptor* type = message.GetDescriptor();
  int64_t seconds = reflection->GetInt64(message, type->FindFieldByNumber(1));
  int32_t nanos = reflection->GetInt32(message, type->FindFieldByNumber(2));
  absl::Time time = absl::FromUnixSeconds(seconds);
  // %4Y: four digits whatever the year (RFC 3339, as protobuf prints it); plain %Y printed year 466 as "466".
  std::string text = absl::FormatTime("%4Y-%m-%dT%H:%M:%S", time, absl::UTCTimeZone());
  if (nanos != 0) {
    // 3, 6 or 9 fractional digits, whichever is exact, as protobuf prints them.
    if (nanos % 1000000 == 0) {
      absl::StrAppend(&text, ".", absl::StrFormat("%03d", nanos / 1000000));
    } else if (nanos % 1000 == 0) {
      absl::StrAppend(&text, ".", absl::StrFormat("%06d", nanos / 1000));
    } else {
      absl::StrAppend(&text, ".", absl::StrFormat("%09d", nanos));
    }
  }
  out->push_back('"');
  out->append(text);
  out->append("Z\"");
}

void AppendMessage(const Message& message, std::string* out);

// As protobuf's JSON printer writes a double: the shortest of 15 or 17 significant digits that reads back as the same
// value, and the non-finite values as the strings "NaN", "Infinity", "-Infinity".
void AppendDouble(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  if (std::strtod(buffer, nullptr) != value) std::snprintf(buffer, sizeof buffer, "%.17g", value);
  out->append(buffer);
}

// One value of `field`: element `index` of a repeated field, or the singular value when index < 0.
void AppendValue(const Message& message, const FieldDescriptor* field, int index, std::string* out) {
  const Reflection* r = message.GetReflection();
  bool repeated = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out, repeated ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, repeated ? r->GetRepeatedUInt32(message, field, index) : r->GetUInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out, "\"", repeated ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field),
                      "\"");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(out, "\"", repeated ? r->GetRepeatedUInt64(message, field, index) : r->GetUInt64(message, field),
                      "\"");
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field)) ? "true"
                                                                                                      : "false");
      break;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text = repeated ? r->GetRepeatedStringReference(message, field, index, &scratch)
                                         : r->GetStringReference(message, field, &scratch);
      AppendEscaped(text, out);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = repeated ? r->GetRepeatedEnumValue(message, field, index) : r->GetEnumValue(message, field);
      const auto* value = field->enum_type()->FindValueByNumber(number);
      if (value != nullptr) {
        AppendEscaped(value->name(), out);
      } else {
        absl::StrAppend(out, number);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = repeated ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field);
      if (IsTimestamp(field->message_type())) {
        AppendTimestamp(sub, out);
      } else {
        AppendMessage(sub, out);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendDouble(repeated ? r->GetRepeatedDouble(message, field, index) : r->GetDouble(message, field), out);
      break;
    default: break;  // float: excluded by Supported()
  }
}

void AppendMapKey(const Message& entry, std::string* out) {
  const FieldDescriptor* key = entry.GetDescriptor()->map_key();
  if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    AppendValue(entry, key, -1, out);
    return;
  }
  // Numeric and bool keys are strings in JSON.
  out->push_back('"');
  std::string raw;
  AppendValue(entry, key, -1, &raw);
  if (!raw.empty() && raw.front() == '"') raw = raw.substr(1, raw.size() - 2);
  out->append(raw);
  out->push_back('"');
}

// Whether `field` of `message` appears in the JSON: repeated and map fields always ([] or {}),
// messages and oneof members when set, other primitive fields always.
bool Printed(const Message& message, const FieldDescriptor* field) {
  if (field->is_repeated()) return true;
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE || field->containing_oneof() != nullptr) {
    return message.GetReflection()->HasField(message, field);
  }
  return true;
}

void AppendField(const Message& message, const FieldDescriptor* field, std::string* out) {
  const Reflection* r = message.GetReflection();
  AppendEscaped(field->json_name(), out);
  out->push_back(':');
  if (field->is_map()) {
    out->push_back('{');
    const FieldDescriptor* value_field = field->message_type()->map_value();
    for (int j = 0, n = r->FieldSize(message, field); j < n; ++j) {
      if (j > 0) out->push_back(',');
      const Message& entry = r->GetRepeatedMessage(message, field, j);
      AppendMapKey(entry, out);
      out->push_back(':');
      AppendValue(entry, value_field, -1, out);
    }
    out->push_back('}');
  } else if (field->is_repeated()) {
    out->push_back('[');
    for (int j = 0, n = r->FieldSize(message, field); j < n; ++j) {
      if (j > 0) out->push_back(',');
      AppendValue(message, field, j, out);
    }
    out->push_back(']');
  } else {
    AppendValue(message, field, -1, out);
  }
}

void AppendMessage(const Message& message, std::string* out) {
  const Descriptor* type = message.GetDescriptor();
  out->push_back('{');
  bool first = true;
  // Protobuf's writer (with primitive fields printed) puts set Timestamp fields and set proto3 `optional` scalars
  // after all the others; doing the same keeps the bytes clients already get.
  for (bool last : {false, true}) {
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      bool timestamp = !field->is_repeated() && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                       IsTimestamp(field->message_type());
      bool optional_scalar = field->has_optional_keyword() && field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE;
      if ((timestamp || optional_scalar) != last || !Printed(message, field)) continue;
      if (!first) out->push_back(',');
      first = false;
      AppendField(message, field, out);
    }
  }
  out->push_back('}');
}

}  // namespace

bool WriteJson(const Message& message, std::string* out) {
  if (!Supported(message.GetDescriptor())) return false;
  AppendMessage(message, out);
  return true;
}

}  // namespace zhongtai::gateway
