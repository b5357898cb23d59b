// ReadJson against protobuf's JsonStringToMessage: on every request type the gateway routes, filled at random and
// printed by protobuf (JSON names and proto names), ReadJson must give the same message or decline; on broken and
// awkward bodies it must decline whatever protobuf refuses, and give protobuf's message for what it accepts.
#include "services/gateway/json_reader.h"

#include <catch2/catch.hpp>
#include <limits>
#include <random>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/routes.h"
#include "zhongtai/datahub/v1/behaviour_events.pb.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const char* const kStrings[] = {"",
                                "plain",
                                "say \"hi\"",
                                "back\\slash",
                                "tab\there\nnew\rline",
                                "\x01\x1f\x7f",
                                "中台 乌龙茶 250g",
                                "🍵",
                                "line\u2028sep\u2029",
                                "/slash/",
                                "\b\f",
                                "e-1700000000-12"};

// Sets fields at random (as json_writer_test does, with request types instead of responses).
class Filler {
 public:
  explicit Filler(unsigned seed) : rng_(seed) {}

  void Fill(Message* message, int depth = 0) {
    const auto* type = message->GetDescriptor();
    const auto* r = message->GetReflection();
    if (type->full_name() == "google.protobuf.Timestamp") {
      const int32_t nanos[] = {0, 5000000, 123456000, 1, 999999999};
      r->SetInt64(message, type->FindFieldByNumber(1), Pick(-62135596800, 253402300799));
      r->SetInt32(message, type->FindFieldByNumber(2), nanos[Pick(0, 4)]);
      return;
    }
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (Pick(0, 4) == 0) continue;
      if (field->containing_oneof() != nullptr && Pick(0, 1) == 0) continue;
      if (field->is_map()) {
        Message* entry = r->AddMessage(message, field);
        Set(entry, entry->GetDescriptor()->map_key(), depth);
        Set(entry, entry->GetDescriptor()->map_value(), depth);
      } else if (field->is_repeated()) {
        for (int n = Pick(0, 3); n > 0; --n) Add(message, field, depth);
      } else {
        Set(message, field, depth);
      }
    }
  }

 private:
  int64_t Pick(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  std::string AnyString() { return kStrings[Pick(0, std::size(kStrings) - 1)]; }
  double AnyDouble() {
    static const double kSpecial[] = {0.0, 0.1, 1.0 / 3, 1e21, -2.5e-8, 123456789012345678.0, 9007199254740993.0};
    if (Pick(0, 1) == 0) return kSpecial[Pick(0, std::size(kSpecial) - 1)];
    return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
  }
  int EnumNumber(const FieldDescriptor* field) {
    if (Pick(0, 9) == 0) return 97;  // printed as a number: ReadJson declines it
    return field->enum_type()->value(Pick(0, field->enum_type()->value_count() - 1))->number();
  }
  void Set(Message* m, const FieldDescriptor* f, int depth) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: r->SetInt32(m, f, static_cast<int32_t>(Pick(INT32_MIN, INT32_MAX))); break;
      case FieldDescriptor::CPPTYPE_UINT32: r->SetUInt32(m, f, static_cast<uint32_t>(Pick(0, UINT32_MAX))); break;
      case FieldDescriptor::CPPTYPE_INT64: r->SetInt64(m, f, Pick(INT64_MIN, INT64_MAX)); break;
      case FieldDescriptor::CPPTYPE_UINT64: r->SetUInt64(m, f, static_cast<uint64_t>(Pick(0, INT64_MAX)) * 2); break;
      case FieldDescriptor::CPPTYPE_BOOL: r->SetBool(m, f, Pick(0, 1) == 1); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: r->SetDouble(m, f, AnyDouble()); break;
      case FieldDescriptor::CPPTYPE_FLOAT: r->SetFloat(m, f, 1.5f); break;
      case FieldDescriptor::CPPTYPE_STRING: r->SetString(m, f, AnyString()); break;
      case FieldDescriptor::CPPTYPE_ENUM: r->SetEnumValue(m, f, EnumNumber(f)); break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) Fill(r->MutableMessage(m, f), depth + 1);
        break;
    }
  }
  void Add(Message* m, const FieldDescriptor* f, int depth) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: r->AddInt32(m, f, static_cast<int32_t>(Pick(-1000, 1000))); break;
      case FieldDescriptor::CPPTYPE_UINT32: r->AddUInt32(m, f, static_cast<uint32_t>(Pick(0, 1000))); break;
      case FieldDescriptor::CPPTYPE_INT64: r->AddInt64(m, f, Pick(-1000000, 1000000)); break;
      case FieldDescriptor::CPPTYPE_UINT64: r->AddUInt64(m, f, static_cast<uint64_t>(Pick(0, 1000000))); break;
      case FieldDescriptor::CPPTYPE_BOOL: r->AddBool(m, f, Pick(0, 1) == 1); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: r->AddDouble(m, f, AnyDouble()); break;
      case FieldDescriptor::CPPTYPE_FLOAT: r->AddFloat(m, f, 2.5f); break;
      case FieldDescriptor::CPPTYPE_STRING: r->AddString(m, f, AnyString()); break;
      case FieldDescriptor::CPPTYPE_ENUM: r->AddEnumValue(m, f, EnumNumber(f)); break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) Fill(r->AddMessage(m, f), depth + 1);
        break;
    }
  }
  std::mt19937_64 rng_;
};

std::unique_ptr<Message> New(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

// Protobuf's message for `json`, or nullptr when protobuf refuses it.
std::unique_ptr<Message> ProtobufParse(const google::protobuf::Descriptor* type, const std::string& json) {
  std::unique_ptr<Message> message = New(type);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(json, message.get(), options).ok()) return nullptr;
  return message;
}

// ReadJson declines, or accepts exactly what protobuf accepts and gives the same message. Returns whether it read.
bool SameAsProtobuf(const google::protobuf::Descriptor* type, const std::string& json) {
  INFO(type->full_name() << ": " << json);
  std::unique_ptr<Message> ours = New(type);
  const bool read = ReadJson(json, ours.get());
  if (!read) return false;
  std::unique_ptr<Message> theirs = ProtobufParse(type, json);
  REQUIRE(theirs != nullptr);
  REQUIRE(ours->SerializeAsString() == theirs->SerializeAsString());
  return true;
}

TEST_CASE("ReadJson reads every request type as protobuf does, or declines") {
  RouteTable table = *RouteTable::Build(RouteTable::SuiteServices());
  int compared = 0, read = 0;
  for (const Route& route : table.routes()) {
    const auto* type = route.method->input_type();
    for (unsigned seed = 0; seed < 60; ++seed) {
      std::unique_ptr<Message> message = New(type);
      if (seed > 0) Filler(seed * 7919 + compared).Fill(message.get());
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = seed % 3 == 2;
      options.always_print_primitive_fields = seed % 2 == 1;
      options.add_whitespace = seed % 5 == 4;
      std::string json;
      // Random values of some well-known types (a Duration's signs, a FieldMask's paths) have no JSON: skip those.
      if (!google::protobuf::util::MessageToJsonString(*message, &json, options).ok()) continue;
      read += SameAsProtobuf(type, json) ? 1 : 0;
      ++compared;
    }
  }
  // Most request types have only the kinds ReadJson reads; the rest must still agree whenever it reads.
  CHECK(read * 2 > compared);
}

TEST_CASE("ReadJson reads a batch of behaviour events, the body it was written for") {
  std::string body = "{\"events\":[";
  for (int i = 0; i < 500; ++i) {
    body += (i ? "," : "");
    body += "{\"eventId\":\"e1-" + std::to_string(i) +
            "\",\"type\":\"view\",\"occurTime\":\"2026-12-04T16:45:00Z\",\"deviceId\":\"d1-" + std::to_string(i % 50) +
            "\",\"sessionId\":\"s\",\"channel\":\"app\",\"productId\":\"p1\",\"skuId\":\"s1\"}";
  }
  body += "]}";
  zhongtai::datahub::v1::IngestEventsRequest request;
  REQUIRE(ReadJson(body, &request));
  REQUIRE(request.events_size() == 500);
  CHECK(request.events(499).event_id() == "e1-499");
  CHECK(request.events(0).occur_time().seconds() == 1796402700);
  CHECK(request.events(0).occur_time().nanos() == 0);
  CHECK(SameAsProtobuf(request.GetDescriptor(), body));
}

TEST_CASE("ReadJson declines what it does not read exactly as protobuf, and everything protobuf refuses") {
  const auto* type = zhongtai::datahub::v1::IngestEventsRequest::descriptor();
  const char* const declined[] = {
      R"({"events":[{"eventId":null}]})",                           // null
      R"({"events":[{"eventId":"a","eventId":"b"}]})",              // twice
      R"({"events":[{"eventId":"a","event_id":"b"}]})",             // twice, under both names
      R"({"events":[{"bogus":"a"}]})",                              // unknown field
      R"({"events":[{"occurTime":"2026-02-29T00:00:00Z"}]})",       // no such day
      R"({"events":[{"occurTime":"2026-12-04T16:45:00+08:00"}]})",  // an offset: protobuf's
      R"({"events":[{"occurTime":"2026-12-04T16:45:00.1Z"}]})",     // one fraction digit: protobuf's
      R"({"events":[{"occurTime":"2026-12-04t16:45:00Z"}]})",       // lower case
      R"({"events":[{"occurTime":"2026-12-04T24:00:00Z"}]})",       // hour 24
      R"({"events":[{"occurTime":"0000-01-01T00:00:00Z"}]})",       // year 0
      R"({"events":[{"occurTime":{"seconds":1}}]})",                // a Timestamp as an object
      R"({"events":[{"deviceId":"\ud800"}]})",                      // lone surrogate
      R"({"events":[{"deviceId":"\udc00\ud800"}]})",                // surrogates out of order
      R"({"events":[{"deviceId":"a\u0000b"}]})",                    // NUL
      "{\"events\":[{\"deviceId\":\"a\x01\"}]}",                    // raw control character
      "{\"events\":[{\"deviceId\":\"\xc3\x28\"}]}",                 // invalid UTF-8
      "{\"events\":[{\"deviceId\":\"\xed\xa0\x80\"}]}",             // an encoded surrogate
      "{\"events\":[{\"deviceId\":\"\xe0\x80\xaf\"}]}",             // overlong
      R"({"events":[{"deviceId":"a\x"}]})",                         // bad escape
      R"({"events":{"eventId":"a"}})",                              // an object for a repeated field
      R"({"events":["a"]})",                                        // a string for a message
      R"({"events":[{"deviceId":1}]})",                             // a number for a string
      R"({"events":[{}]} x)",                                       // trailing text
      R"({"events":[{}],})",                                        // trailing comma
      R"({"events":[{},]})",                                        // trailing comma in an array
      R"([{"events":[]}])",                                         // not an object
      R"({"events":[{})",                                           // cut short
      R"({events:[]})",                                             // unquoted key
  };
  for (const char* body : declined) {
    INFO(body);
    zhongtai::datahub::v1::IngestEventsRequest request;
    CHECK_FALSE(ReadJson(body, &request));
  }
  // And what it reads, it reads as protobuf does.
  const char* const read[] = {
      R"({})",
      R"( { "events" : [ ] } )",
      R"({"events":[{"eventId":"a\"b\\c\/d\b\f\n\r\t","deviceId":"\u00e9\u4e2d\ud83c\udf75"}]})",
      R"({"events":[{"event_id":"a","occur_time":"2024-02-29T23:59:59.999999999Z"}]})",
      R"({"events":[{"occurTime":"1970-01-01T00:00:00.500Z"},{"occurTime":"9999-12-31T23:59:59.000001Z"}]})",
      R"({"events":[{"occurTime":"0001-01-01T00:00:00Z"}]})",
  };
  for (const char* body : read) CHECK(SameAsProtobuf(type, body));
}

TEST_CASE("ReadJson never accepts a broken body that protobuf refuses, nor reads one differently") {
  const std::string base =
      R"({"events":[{"eventId":"e-1","type":"view","occurTime":"2026-12-04T16:45:00.250Z","deviceId":"d\u00e9",)"
      R"("channel":"app","productId":"p1"},{"event_id":"e-2","query":"green tea"}]})";
  const auto* type = zhongtai::datahub::v1::IngestEventsRequest::descriptor();
  const std::string alphabet = "{}[]\",:\\ -.0123456789eEaZTtrufnl\x01\xc3\xa9";
  std::mt19937 rng(42);
  int read = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body = base;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0: body.erase(at, 1); break;
        case 1: body.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        default: body[at] = alphabet[rng() % alphabet.size()]; break;
      }
    }
    read += SameAsProtobuf(type, body) ? 1 : 0;
  }
  CHECK(read > 0);
}

TEST_CASE("ReadJson reads integers, enums and doubles as protobuf does") {
  RouteTable table = *RouteTable::Build(RouteTable::SuiteServices());
  // Every routed request field of those kinds, with awkward values: ReadJson declines or agrees.
  const char* const values[] = {
      "0",   "-0",    "1",       "-1",     "\"12\"", "\"-12\"",  "2147483648",       "-2147483649",
      "1.0", "1e2",   "01",      "\"1 \"", "true",   "\"true\"", "9007199254740993", "18446744073709551616",
      "0.1", "1e400", "-2.5e-8", "\"NaN\""};
  int checked = 0;
  for (const Route& route : table.routes()) {
    const auto* type = route.method->input_type();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->is_repeated() || field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ||
          field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        continue;
      }
      std::vector<std::string> candidates(std::begin(values), std::end(values));
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
        for (int v = 0; v < field->enum_type()->value_count(); ++v) {
          candidates.push_back("\"" + field->enum_type()->value(v)->name() + "\"");
        }
        candidates.push_back("\"NOT_A_VALUE\"");
      }
      for (const std::string& value : candidates) {
        SameAsProtobuf(type, "{\"" + field->json_name() + "\":" + value + "}");
        ++checked;
      }
    }
  }
  CHECK(checked > 0);
}

}  // namespace
}  // namespace zhongtai::gateway
