#include "services/gateway/api_doc.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/gateway/error_reasons.h"
#include "services/gateway/errors.h"
#include "services/gateway/route_fields.h"
#include "services/gateway/transcoder.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kMaxDepth = 4;
constexpr char kIdempotencyKey[] = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
constexpr char kAccessToken[] = "<accessToken>";

// A time-ordered id as ids::NewId makes them: prefix, then 20 Crockford base32 characters.
std::string Id(absl::string_view prefix) { return absl::StrCat(prefix, "01JNQ8Z3W4K7M2P5R9T6"); }

std::string StringExample(const FieldDescriptor* field) {
  const std::string& name = field->name();
  const std::string& owner = field->containing_type()->name();
  static const std::map<std::string, std::string> kByName = {
      {"order_id", Id("o_")},
      {"user_id", Id("u_")},
      {"sku_id", Id("sku_")},
      {"product_id", Id("prd_")},
      {"category_id", Id("cat_")},
      {"promotion_id", Id("pr_")},
      {"export_id", Id("exp_")},
      {"warehouse_id", "wh-shanghai-1"},
      {"request_id", kIdempotencyKey},
      {"email", "li.lei@example.com"},
      {"phone", "+8613800138000"},
      {"login", "li.lei@example.com"},
      {"password", "correct-horse-battery"},
      {"nickname", "李雷"},
      {"currency", "CNY"},
      {"channel", "app"},
      {"title", "West Lake Longjing tea, 250 g"},
      {"product_title", "West Lake Longjing tea, 250 g"},
      {"description", "First-flush green tea, picked before Qingming."},
      {"spec", "250 g / tin"},
      {"sku_code", "TEA-LJ-250"},
      {"q", "longjing"},
      {"access_token", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzAxSk5ROFozVzRLN00yUDVSOVQ2VjhYMFlDIn0.sig"},
      {"refresh_token", "rt_5Yx2Lq0aVbN8cW3eRtUz7KpJ"},
      {"token_type", "Bearer"},
      {"page_token", ""},
      {"next_page_token", "eyJhZnRlciI6Im9fMDFKTlE4WjNXNEs3In0"},
  };
  if (name == "parent_id") return "";
  if (name == "name") {
    if (absl::StrContains(owner, "Promotion")) return "满300减40";
    if (absl::StrContains(owner, "Category")) return "Green tea";
    return "Spring sale";
  }
  if (name == "reason") {
    if (owner == "CancelOrderRequest") return "changed my mind";
    if (owner == "AdjustStockRequest") return "goods received";
    return "placed";
  }
  auto it = kByName.find(name);
  if (it != kByName.end()) return it->second;
  if (absl::EndsWith(name, "_id")) return Id(absl::StrCat(name.substr(0, 1), "_"));
  return "example";
}

int64_t IntegerExample(const FieldDescriptor* field, absl::string_view context) {
  const std::string& name = field->name();
  if (name == "amount_minor") {
    // Money in fen, consistent within an order: 2 x 149.50 = 299.00, less 40.00 off, = 259.00.
    static const std::map<std::string, int64_t> kAmounts = {
        {"unit_price", 14950}, {"price", 14950},
        {"subtotal", 29900},   {"discount", 4000},
        {"total", 25900},      {"threshold", 30000},
        {"reduction", 4000},   {"gmv", 1284500},
        {"paid_gmv", 1036000}, {"average_order_value", 28000},
    };
    auto it = kAmounts.find(std::string(context));
    return it == kAmounts.end() ? 1999 : it->second;
  }
  static const std::map<std::string, int64_t> kByName = {
      {"quantity", 2},         {"delta", 50},          {"on_hand", 120},      {"reserved", 2},
      {"available", 118},      {"initial_stock", 120}, {"orders_placed", 48}, {"orders_paid", 37},
      {"orders_cancelled", 5}, {"page_size", 20},      {"expires_in", 900},   {"ttl_seconds", 900},
  };
  auto it = kByName.find(name);
  return it == kByName.end() ? 1 : it->second;
}

google::protobuf::Timestamp TimeExample(const FieldDescriptor* field) {
  static const std::map<std::string, std::string> kByName = {
      {"start_time", "2026-03-01T00:00:00Z"},
      {"end_time", "2026-04-01T00:00:00Z"},
      {"pay_deadline", "2026-03-08T10:45:30Z"},
      {"expire_time", "2026-03-08T10:30:30Z"},
  };
  auto it = kByName.find(field->name());
  google::protobuf::Timestamp out;
  google::protobuf::util::TimeUtil::FromString(it == kByName.end() ? "2026-03-08T10:15:30Z" : it->second, &out);
  return out;
}

void Fill(Message* message, const Route* route, bool request, absl::string_view context, int depth);

// Sets one value of `field` (appends when repeated); `request`: an example for a client to send.
void SetOne(Message* message, const FieldDescriptor* field, bool request, int depth) {
  const Reflection* r = message->GetReflection();
  const bool rep = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value = StringExample(field);
      if (value.empty() && !rep) return;
      rep ? r->AddString(message, field, value) : r->SetString(message, field, value);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      auto v = static_cast<int32_t>(IntegerExample(field, ""));
      rep ? r->AddInt32(message, field, v) : r->SetInt32(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      auto v = static_cast<uint32_t>(IntegerExample(field, ""));
      rep ? r->AddUInt32(message, field, v) : r->SetUInt32(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = IntegerExample(field, "");
      rep ? r->AddInt64(message, field, v) : r->SetInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      auto v = static_cast<uint64_t>(IntegerExample(field, ""));
      rep ? r->AddUInt64(message, field, v) : r->SetUInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
      rep ? r->AddDouble(message, field, 1.5) : r->SetDouble(message, field, 1.5);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      rep ? r->AddFloat(message, field, 1.5f) : r->SetFloat(message, field, 1.5f);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      rep ? r->AddBool(message, field, true) : r->SetBool(message, field, true);
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* type = field->enum_type();
      const auto* value = type->value(type->value_count() > 1 ? 1 : 0);  // the first after _UNSPECIFIED
      rep ? r->AddEnum(message, field, value) : r->SetEnum(message, field, value);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (depth >= kMaxDepth) return;
      Message* child = rep ? r->AddMessage(message, field) : r->MutableMessage(message, field);
      const std::string& type = field->message_type()->full_name();
      if (type == "google.protobuf.Timestamp") {
        child->CopyFrom(TimeExample(field));
      } else if (type == "google.protobuf.Duration") {
        google::protobuf::Duration d;
        d.set_seconds(900);
        child->CopyFrom(d);
      } else if (field->is_map()) {
        const Descriptor* entry = field->message_type();
        const Reflection* er = child->GetReflection();
        if (entry->map_key()->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          er->SetString(child, entry->map_key(), "weight");
        }
        if (entry->map_value()->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          er->SetString(child, entry->map_value(), "250 g");
        } else {
          SetOne(child, entry->map_value(), request, depth + 1);
        }
      } else {
        Fill(child, nullptr, request, field->name(), depth + 1);
      }
      break;
    }
  }
}

// A nested message's own id and its creation time, which the server assigns: a request leaves them out
// (the protos have no output-only annotation to say so).
bool IsServerAssigned(const FieldDescriptor* field) {
  const std::string& name = field->name();
  if (name == "create_time" || name == "update_time") return true;
  std::string own_id;  // Promotion -> promotion_id
  for (char c : field->containing_type()->name()) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c)) && !own_id.empty()) own_id.push_back('_');
    own_id.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return name == own_id + "_id";
}

void Fill(Message* message, const Route* route, bool request, absl::string_view context, int depth) {
  const Descriptor* d = message->GetDescriptor();
  const Reflection* r = message->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* field = d->field(i);
    if (route != nullptr && IsServerFilled(*route, field)) continue;
    if (request && depth > 0 && IsServerAssigned(field)) continue;
    // One member of a oneof: setting a second would clear the first.
    if (field->containing_oneof() != nullptr && field->containing_oneof()->field(0) != field) continue;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT64 && field->name() == "amount_minor") {
      r->SetInt64(message, field, IntegerExample(field, context));
      continue;
    }
    SetOne(message, field, request, depth);
  }
}

std::unique_ptr<Message> NewMessage(const Descriptor* type) {
  return std::unique_ptr<Message>(google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

// Percent-encodes a path segment or query value (RFC 3986 unreserved characters stay, and ':' in a query).
std::string UrlEncode(absl::string_view in, bool query = false) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (query && c == ':')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The value of a scalar-like field as it goes into a path or query ("" when unset).
std::string ScalarText(const Message& message, const FieldDescriptor* field) {
  const Reflection* r = message.GetReflection();
  if (!field->is_repeated() && field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE && !r->HasField(message, field)) {
    return "";
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: return r->GetString(message, field);
    case FieldDescriptor::CPPTYPE_INT32: return absl::StrCat(r->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT32: return absl::StrCat(r->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64: return absl::StrCat(r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT64: return absl::StrCat(r->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE: return absl::StrCat(r->GetDouble(message, field));
    case FieldDescriptor::CPPTYPE_FLOAT: return absl::StrCat(r->GetFloat(message, field));
    case FieldDescriptor::CPPTYPE_BOOL: return r->GetBool(message, field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM: return r->GetEnum(message, field)->name();
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!r->HasField(message, field)) return "";
      const Message& child = r->GetMessage(message, field);
      if (field->message_type()->full_name() == "google.protobuf.Timestamp") {
        google::protobuf::Timestamp t;
        t.CopyFrom(child);
        return google::protobuf::util::TimeUtil::ToString(t);
      }
      if (field->message_type()->full_name() == "google.protobuf.Duration") {
        google::protobuf::Duration d;
        d.CopyFrom(child);
        return google::protobuf::util::TimeUtil::ToString(d);
      }
      return "";
    }
  }
  return "";
}

bool IsScalarLike(const FieldDescriptor* field) {
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
  const std::string& name = field->message_type()->full_name();
  return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration";
}

// "name=value" pairs of the set query fields of `message`, nested messages as "parent.child".
void QueryPairs(const Message& message, const std::string& prefix, const Route* route, std::vector<std::string>* out) {
  const Descriptor* d = message.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* field = d->field(i);
    if (route != nullptr && IsServerFilled(*route, field)) continue;
    if (field->is_map() || (field->is_repeated() && !IsScalarLike(field))) continue;
    const std::string name = absl::StrCat(prefix, field->json_name());
    if (!IsScalarLike(field)) {
      if (message.GetReflection()->HasField(message, field)) {
        QueryPairs(message.GetReflection()->GetMessage(message, field), absl::StrCat(name, "."), nullptr, out);
      }
      continue;
    }
    if (field->is_repeated()) continue;  // a repeated value is the same name again; the table says so
    std::string value = ScalarText(message, field);
    if (!value.empty()) out->push_back(absl::StrCat(name, "=", UrlEncode(value, /*query=*/true)));
  }
}

// The anchor of a message's heading in the Messages section ("zhongtaiorderv1order").
std::string MessageAnchor(const Descriptor* message) {
  std::string out;
  for (char c : message->full_name()) {
    if (c != '.') out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Messages the document describes: those nested in requests and responses, and the responses, in first-use
// order; not the well-known types (they are strings in JSON) nor map entries.
void CollectMessages(const Descriptor* message, std::vector<const Descriptor*>* out, std::set<std::string>* seen) {
  if (absl::StartsWith(message->full_name(), "google.protobuf.") || message->options().map_entry()) return;
  if (!seen->insert(message->full_name()).second) return;
  out->push_back(message);
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* field = message->field(i);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const Descriptor* type = field->is_map() ? nullptr : field->message_type();
    if (field->is_map() && field->message_type()->map_value()->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      type = field->message_type()->map_value()->message_type();
    }
    if (type != nullptr) CollectMessages(type, out, seen);
  }
}

// A field's type in words, e.g. "string (int64)", "array of object (LineRequest)" (linked to its section).
std::string TypeName(const FieldDescriptor* field) {
  if (field->is_map()) {
    return absl::StrCat("map of ", field->message_type()->map_value()->cpp_type_name());
  }
  std::string one;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32: one = "integer"; break;
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64: one = "string (int64)"; break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: one = "number"; break;
    case FieldDescriptor::CPPTYPE_BOOL: one = "boolean"; break;
    case FieldDescriptor::CPPTYPE_STRING: one = "string"; break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::vector<std::string> names;
      for (int i = 1; i < field->enum_type()->value_count(); ++i) names.push_back(field->enum_type()->value(i)->name());
      one = absl::StrCat("enum: ", absl::StrJoin(names, ", "));
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const std::string& type = field->message_type()->full_name();
      if (type == "google.protobuf.Timestamp") {
        one = "string (RFC 3339 time)";
      } else if (type == "google.protobuf.Duration") {
        one = "string (duration, e.g. \"900s\")";
      } else {
        one =
            absl::StrCat("object ([", field->message_type()->name(), "](#", MessageAnchor(field->message_type()), "))");
      }
      break;
    }
  }
  return field->is_repeated() ? absl::StrCat("array of ", one) : one;
}

std::string AccessText(Access access) {
  switch (access) {
    case Access::kPublic: return "public";
    case Access::kCustomer: return "customer (access token)";
    case Access::kAdmin: return "admin (an admin's access token)";
    case Access::kPartner: return "partner (signed: X-Zt-Timestamp, X-Zt-Signature)";
  }
  return "public";
}

std::string Anchor(const Route& route) {
  std::string out;
  for (char c : absl::StrCat(route.http_method, " ", route.DisplayTemplate())) {
    unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '_') {
      out.push_back(static_cast<char>(absl::ascii_tolower(u)));
    } else if (c == ' ') {
      out.push_back('-');
    }
  }
  return out;
}

std::string Cell(absl::string_view s) { return absl::StrReplaceAll(s, {{"|", "\\|"}}); }

// The leading comment of a descriptor in the commented pool, as one line; empty when none.
template <typename D>
std::string CommentOf(const D* commented) {
  google::protobuf::SourceLocation location;
  if (commented == nullptr || !commented->GetSourceLocation(&location)) return "";
  std::vector<absl::string_view> lines = absl::StrSplit(location.leading_comments, '\n', absl::SkipWhitespace());
  std::string out;
  for (absl::string_view line : lines) absl::StrAppend(&out, out.empty() ? "" : " ", absl::StripAsciiWhitespace(line));
  return out;
}

std::string FieldComment(const FieldDescriptor* field, const google::protobuf::DescriptorPool* commented) {
  return commented == nullptr ? "" : CommentOf(commented->FindFieldByName(field->full_name()));
}

std::string MethodComment(const google::protobuf::MethodDescriptor* method,
                          const google::protobuf::DescriptorPool* commented) {
  return commented == nullptr ? "" : CommentOf(commented->FindMethodByName(method->full_name()));
}

constexpr char kHeader[] = R"(<!-- Generated by zt-api-doc from the protos (the http options of their RPCs) and
     services/gateway/error_reasons.cc. Do not edit by hand: after changing either, run
     build/services/gateway/zt-api-doc --markdown docs/api.md
     (the CTest test api_doc_up_to_date fails while this file differs from what the code says). -->
# HTTP API

Channel apps and admin consoles speak HTTP/1.1 and JSON to the gateway, which turns each route into one
gRPC call of one service. This page lists every route the gateway serves with an example request and
response ([Routes](#routes)), the objects they carry ([Messages](#messages)), and every error reason with what
a client should do about it ([Errors](#errors)). The same route table, with full schemas, is served by the
gateway as OpenAPI 3 at `GET /openapi.json`. How the pieces behind the gateway fit together is in
[architecture.md](architecture.md).

## Conventions

- **JSON** follows the proto3 JSON mapping: lowerCamelCase names, 64-bit integers as strings (`"1999"`),
  enums by name, times as RFC 3339 strings in UTC. Responses print every scalar field, with its default value
  when unset. A body field the route does not know is refused (`INVALID_JSON`).
- **Money** is an integer number of minor units (fen) and a currency: `{"currency": "CNY", "amountMinor": "1999"}`
  is 19.99 CNY. Never a floating-point number.
- **Who may call**: *public* routes need no token; *customer* routes need `Authorization: Bearer <accessToken>`
  (from `POST /v1/sessions`); *admin* routes need an admin's token. The user is always the one the token names,
  never a field of the path or body: a customer sees and changes only their own things, and another user's
  order answers 404 exactly as a missing one does.
- **Partner callbacks** (*partner* routes, called by a payment provider's or logistics partner's server, not by
  apps) carry `X-Zt-Timestamp` (unix seconds) and `X-Zt-Signature`: the lower-case hex HMAC-SHA256 of
  `timestamp + "." + body` under the secret the partner shares with the shop. A missing or wrong signature, or a
  timestamp more than 5 minutes away, is `401` (`SIGNATURE_MISSING`, `SIGNATURE_INVALID`, `SIGNATURE_EXPIRED`).
- **Idempotency-Key**: the routes that create or pay something require an `Idempotency-Key` header (1 to 128 of
  `A-Z a-z 0-9 . _ : -`; a UUID is fine; without it `400 IDEMPOTENCY_KEY_REQUIRED`). A repeat with the same key returns the first result, so a client
  that timed out can safely send the same request again; the same key with a different body is refused
  (`IDEMPOTENCY_KEY_REUSED`, `REQUEST_ID_REUSED`). Make a new key for each new request and keep it for that
  request's retries.
- **X-Zt-Device-Id**: channel apps send their install's id (a browser its own stable id), 1 to 128 of
  `A-Z a-z 0-9 . _ : -` (else `400 DEVICE_ID_INVALID`); the gateway passes it on. Claims of one coupon template from
  one device are capped whatever the account (`COUPON_DEVICE_LIMIT_REACHED`, against coupon farming).
- **Limits**: requests are rate-limited per client address and per user, more strictly for sign-in and
  registration (`429 RATE_LIMITED` with `Retry-After`); JSON bodies are at most 64 KiB unless a route says
  otherwise (`413 BODY_TOO_LARGE`).
- **Lists** take `pageSize` and `pageToken` and answer `nextPageToken`, empty on the last page. Tokens are
  opaque.
- **Tracing**: every response carries `X-Request-Id` (the client's own, when it sends a valid one); the gateway
  continues a W3C `traceparent` header or starts a trace. Quote the request id when reporting a problem.
- **Service endpoints**: `GET /healthz` (the process is up), `GET /readyz` (every upstream service answers its
  health check; 503 while draining), `GET /openapi.json`; metrics on the gateway's own metrics port.

)";

}  // namespace

void FillExample(Message* message, const Route* route) { Fill(message, route, route != nullptr, "", 0); }

std::string PrettyJson(absl::string_view json) {
  std::string out;
  int indent = 0;
  bool in_string = false;
  auto newline = [&] {
    out.push_back('\n');
    out.append(static_cast<size_t>(indent) * 2, ' ');
  };
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out.push_back(c);
        break;
      case '{':
      case '[': {
        size_t next = json.find_first_not_of(" \n\t\r", i + 1);
        if (next != absl::string_view::npos && (json[next] == '}' || json[next] == ']')) {
          out.push_back(c);
          out.push_back(json[next]);
          i = next;
          break;
        }
        out.push_back(c);
        ++indent;
        newline();
        break;
      }
      case '}':
      case ']':
        --indent;
        newline();
        out.push_back(c);
        break;
      case ',':
        out.push_back(c);
        newline();
        break;
      case ':': out.append(": "); break;
      case ' ':
      case '\n':
      case '\t':
      case '\r': break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string ExampleTarget(const Route& route) {
  std::unique_ptr<Message> request = NewMessage(route.method->input_type());
  FillExample(request.get(), nullptr);  // every field, so that path fields have values
  std::string target;
  for (const PathSegment& segment : route.segments) {
    target += '/';
    if (!segment.is_field) {
      target += segment.literal;
      continue;
    }
    const Message* parent = request.get();
    for (size_t i = 0; i + 1 < segment.field.size(); ++i) {
      parent = &parent->GetReflection()->GetMessage(*parent, segment.field[i]);
    }
    target += UrlEncode(ScalarText(*parent, segment.field.back()));
  }
  if (!route.verb.empty()) absl::StrAppend(&target, ":", route.verb);
  if (!route.body) {
    std::unique_ptr<Message> query = NewMessage(route.method->input_type());
    FillExample(query.get(), &route);
    std::vector<std::string> pairs;
    QueryPairs(*query, "", &route, &pairs);
    if (!pairs.empty()) absl::StrAppend(&target, "?", absl::StrJoin(pairs, "&"));
  }
  return target;
}

std::string ExampleRequestBody(const Route& route) {
  if (!route.body) return "";
  std::unique_ptr<Message> request = NewMessage(route.method->input_type());
  FillExample(request.get(), &route);
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*request, &json).ok()) return "";
  return PrettyJson(json);
}

std::string ExampleResponseBody(const Route& route) {
  std::unique_ptr<Message> response = NewMessage(route.method->output_type());
  FillExample(response.get(), nullptr);
  return PrettyJson(JsonResponse(*response).body);
}

std::string ApiDocument(const RouteTable& routes, const google::protobuf::DescriptorPool* commented) {
  std::string out = kHeader;
  out += "## Routes\n\n| route | who | gRPC method |\n|---|---|---|\n";
  for (const Route& route : routes.routes()) {
    absl::StrAppend(&out, "| [`", route.http_method, " ", route.DisplayTemplate(), "`](#", Anchor(route), ") | ",
                    AccessName(route.access), " | `", route.grpc_method, "` |\n");
  }
  out += "\n";
  for (const Route& route : routes.routes()) {
    absl::StrAppend(&out, "### ", route.http_method, " ", route.DisplayTemplate(), "\n\n");
    const std::string about = MethodComment(route.method, commented);
    if (!about.empty()) absl::StrAppend(&out, Cell(about), "\n\n");
    absl::StrAppend(&out, "`", route.grpc_method, "`, ", AccessText(route.access));
    if (route.request_id_field != nullptr) out += ", idempotent with `Idempotency-Key`";
    out += ".\n\n";

    // Parameters: path, then query or body fields, then headers.
    std::vector<std::string> rows;
    for (const PathSegment& segment : route.segments) {
      if (!segment.is_field) continue;
      std::vector<std::string> names;
      for (const FieldDescriptor* f : segment.field) names.push_back(f->json_name());
      rows.push_back(absl::StrCat("| `", absl::StrJoin(names, "."), "` | path | ", Cell(TypeName(segment.field.back())),
                                  " | ", Cell(FieldComment(segment.field.back(), commented)), " |"));
    }
    for (const FieldDescriptor* field : ClientFields(route)) {
      if (!route.body && (field->is_map() || (field->is_repeated() && !IsScalarLike(field)))) continue;
      std::string where = route.body ? "body" : "query";
      if (!route.body && !IsScalarLike(field)) where = "query (`" + field->json_name() + ".<field>`)";
      rows.push_back(absl::StrCat("| `", field->json_name(), "` | ", where, " | ", Cell(TypeName(field)), " | ",
                                  Cell(FieldComment(field, commented)), " |"));
    }
    if (route.request_id_field != nullptr) {
      rows.push_back("| `Idempotency-Key` | header | string | a repeat with the same key returns the first result |");
    }
    if (!rows.empty()) {
      absl::StrAppend(&out, "| parameter | in | type | |\n|---|---|---|---|\n", absl::StrJoin(rows, "\n"), "\n\n");
    }

    out += "```http\n";
    absl::StrAppend(&out, route.http_method, " ", ExampleTarget(route), " HTTP/1.1\n");
    if (route.access == Access::kPartner) {
      absl::StrAppend(&out, "X-Zt-Timestamp: 1767225600\nX-Zt-Signature: <hex HMAC-SHA256 of timestamp.body>\n");
    } else if (route.access != Access::kPublic) {
      absl::StrAppend(&out, "Authorization: Bearer ", kAccessToken, "\n");
    }
    if (route.request_id_field != nullptr) absl::StrAppend(&out, "Idempotency-Key: ", kIdempotencyKey, "\n");
    if (route.body) absl::StrAppend(&out, "Content-Type: application/json\n\n", ExampleRequestBody(route), "\n");
    out += "```\n\n";
    if (!route.raw_content_type.empty()) {
      absl::StrAppend(&out, "Response `200`: `", route.raw_content_type,
                      "`, the document itself (not JSON; errors are the JSON error body).\n\n");
    } else {
      absl::StrAppend(&out, "Response `200`:\n\n```json\n", ExampleResponseBody(route), "\n```\n\n");
    }
  }

  // Messages: what the objects in requests and responses hold.
  std::vector<const Descriptor*> messages;
  std::set<std::string> seen;
  for (const Route& route : routes.routes()) seen.insert(route.method->input_type()->full_name());
  for (const Route& route : routes.routes()) {
    const Descriptor* input = route.method->input_type();
    for (int i = 0; i < input->field_count(); ++i) {
      const FieldDescriptor* field = input->field(i);
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_map()) {
        CollectMessages(field->message_type(), &messages, &seen);
      }
    }
    if (route.raw_content_type.empty()) CollectMessages(route.method->output_type(), &messages, &seen);
  }
  out += "## Messages\n\nThe objects of the requests and responses above, field by field.\n\n";
  for (const Descriptor* message : messages) {
    absl::StrAppend(&out, "### ", message->full_name(), "\n\n");
    std::string about = commented == nullptr ? "" : CommentOf(commented->FindMessageTypeByName(message->full_name()));
    if (!about.empty()) absl::StrAppend(&out, Cell(about), "\n\n");
    out += "| field | type | |\n|---|---|---|\n";
    for (int i = 0; i < message->field_count(); ++i) {
      const FieldDescriptor* field = message->field(i);
      std::string note = FieldComment(field, commented);
      if (field->containing_oneof() != nullptr) {
        note = absl::StrCat("One of `", field->containing_oneof()->name(), "`.", note.empty() ? "" : " ", note);
      }
      absl::StrAppend(&out, "| `", field->json_name(), "` | ", Cell(TypeName(field)), " | ", Cell(note), " |\n");
    }
    out += "\n";
  }

  out += R"(## Errors

A failed call answers an HTTP error status and one JSON body:

```json
{
  "error": {
    "code": 400,
    "status": "INVALID_ARGUMENT",
    "reason": "QUANTITY_NOT_POSITIVE",
    "message": "quantity must be at least 1",
    "details": [
      {
        "field": "lines[0].quantity"
      }
    ]
  }
}
```

`reason` is the stable, machine-readable part: branch on it, never on `message` (for people, and it may
change). `details[].field` names the request field at fault when there is one. 429 also carries
`Retry-After` (seconds), 401 `WWW-Authenticate`, 405 `Allow`.

### HTTP status of each gRPC status

| gRPC status | HTTP |
|---|---|
)";
  for (int code = 1; code <= 16; ++code) {
    auto c = static_cast<absl::StatusCode>(code);
    absl::StrAppend(&out, "| `", absl::StatusCodeToString(c), "` | ", HttpStatusOf(c), " |\n");
  }
  out += R"(
### Reasons

Every reason the services and the gateway use (a test fails when the code uses one that is not here). When a
service fails without a reason, the gateway sends the status name as the reason (for example `NOT_FOUND`);
treat it as the table's row for that status.

| reason | HTTP | gRPC status | from | what the client should do |
|---|---|---|---|---|
)";
  for (const ErrorReason& reason : ErrorReasons()) {
    std::vector<std::string> https, statuses;
    for (absl::StatusCode code : reason.codes) {
      std::string http = absl::StrCat(reason.http_status != 0 ? reason.http_status : HttpStatusOf(code));
      if (std::find(https.begin(), https.end(), http) == https.end()) https.push_back(http);
      statuses.push_back(absl::StatusCodeToString(code));
    }
    absl::StrAppend(&out, "| `", reason.reason, "` | ", absl::StrJoin(https, ", "), " | ",
                    absl::StrJoin(statuses, ", "), " | ", reason.where, " | ", Cell(reason.action), " |\n");
  }
  return out;
}

}  // namespace zhongtai::gateway
