// WriteJson against protobuf's MessageToJsonString (always_print_primitive_fields) on every response
// type the gateway serves, filled at random: the same text, byte for byte.
#include "services/gateway/json_writer.h"

#include <catch2/catch.hpp>
#include <limits>
#include <random>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/routes.h"
#include "zhongtai/order/v1/admin_order.pb.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Strings that exercise escaping: quotes, backslashes, control characters, HTML brackets, CJK,
// emoji and the JavaScript line separators.
const char* const kStrings[] = {"",
                                "plain",
                                "say \"hi\"",
                                "back\\slash",
                                "tab\there\nnew\rline",
                                "\x01\x1f\x7f",
                                "<b>&amp;</b>",
                                "中台 乌龙茶 250g",
                                "🍵",
                                "line\u2028sep\u2029",
                                "/slash/",
                                "\b\f"};

class Filler {
 public:
  explicit Filler(unsigned seed) : rng_(seed) {}

  void Fill(Message* message, int depth = 0) {
    const auto* type = message->GetDescriptor();
    const auto* r = message->GetReflection();
    if (type->full_name() == "google.protobuf.Timestamp") {
      const int32_t nanos[] = {0, 5000000, 123456000, 1, 999999999};
      r->SetInt64(message, type->FindFieldByNumber(1), Pick(0, 4102444800));
      r->SetInt32(message, type->FindFieldByNumber(2), nanos[Pick(0, 4)]);
      return;
    }
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (Pick(0, 4) == 0) continue;  // leave some fields at their defaults
      if (field->is_map()) {
        // One entry: with more, the order of entries is not defined for either writer.
        Message* entry = r->AddMessage(message, field);
        SetValue(entry, entry->GetDescriptor()->map_key(), depth);
        SetValue(entry, entry->GetDescriptor()->map_value(), depth);
      } else if (field->is_repeated()) {
        for (int n = Pick(0, 3); n > 0; --n) AddValue(message, field, depth);
      } else {
        SetValue(message, field, depth);
      }
    }
  }

 private:
  int64_t Pick(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  std::string AnyString() { return kStrings[Pick(0, std::size(kStrings) - 1)]; }
  // Ordinary and awkward doubles: 0.1 needs 17 digits to round-trip, 1e21 an exponent, and the non-finite ones.
  double AnyDouble() {
    static const double kSpecial[] = {0.0,
                                      -0.0,
                                      0.1,
                                      1.0 / 3,
                                      1e21,
                                      -2.5e-8,
                                      123456789012345678.0,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::quiet_NaN()};
    if (Pick(0, 1) == 0) return kSpecial[Pick(0, std::size(kSpecial) - 1)];
    return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
  }
  int EnumNumber(const FieldDescriptor* field) {
    if (Pick(0, 9) == 0) return 97;  // a number the enum does not name (proto3 enums are open)
    return field->enum_type()->value(Pick(0, field->enum_type()->value_count() - 1))->number();
  }

  void SetValue(Message* m, const FieldDescriptor* f, int depth) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        r->SetInt32(m, f, static_cast<int32_t>(Pick(-2000000000, 2000000000)));
        break;
      case FieldDescriptor::CPPTYPE_UINT32: r->SetUInt32(m, f, static_cast<uint32_t>(Pick(0, 4000000000))); break;
      case FieldDescriptor::CPPTYPE_INT64: r->SetInt64(m, f, Pick(INT64_MIN / 2, INT64_MAX / 2)); break;
      case FieldDescriptor::CPPTYPE_UINT64: r->SetUInt64(m, f, static_cast<uint64_t>(Pick(0, INT64_MAX))); break;
      case FieldDescriptor::CPPTYPE_BOOL: r->SetBool(m, f, Pick(0, 1) == 1); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: r->SetDouble(m, f, AnyDouble()); break;
      case FieldDescriptor::CPPTYPE_STRING: r->SetString(m, f, AnyString()); break;
      case FieldDescriptor::CPPTYPE_ENUM: r->SetEnumValue(m, f, EnumNumber(f)); break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) Fill(r->MutableMessage(m, f), depth + 1);
        break;
      default: break;
    }
  }

  void AddValue(Message* m, const FieldDescriptor* f, int depth) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: r->AddInt32(m, f, static_cast<int32_t>(Pick(-1000, 1000))); break;
      case FieldDescriptor::CPPTYPE_UINT32: r->AddUInt32(m, f, static_cast<uint32_t>(Pick(0, 1000))); break;
      case FieldDescriptor::CPPTYPE_INT64: r->AddInt64(m, f, Pick(-1000000, 1000000)); break;
      case FieldDescriptor::CPPTYPE_UINT64: r->AddUInt64(m, f, static_cast<uint64_t>(Pick(0, 1000000))); break;
      case FieldDescriptor::CPPTYPE_BOOL: r->AddBool(m, f, Pick(0, 1) == 1); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: r->AddDouble(m, f, AnyDouble()); break;
      case FieldDescriptor::CPPTYPE_STRING: r->AddString(m, f, AnyString()); break;
      case FieldDescriptor::CPPTYPE_ENUM: r->AddEnumValue(m, f, EnumNumber(f)); break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) Fill(r->AddMessage(m, f), depth + 1);
        break;
      default: break;
    }
  }

  std::mt19937_64 rng_;
};

std::string ProtobufJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  REQUIRE(google::protobuf::util::MessageToJsonString(message, &out, options).ok());
  return out;
}

TEST_CASE("WriteJson prints every response type exactly as protobuf does") {
  RouteTable table = *RouteTable::Build(RouteTable::SuiteServices());
  int compared = 0;
  for (const Route& route : table.routes()) {
    if (!route.raw_content_type.empty()) continue;  // answered as its HttpBody, never as JSON
    const auto* type = route.method->output_type();
    for (unsigned seed = 0; seed < 150; ++seed) {
      std::unique_ptr<Message> message(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
      if (seed > 0) Filler(seed * 7919 + compared).Fill(message.get());
      INFO(type->full_name() << " seed " << seed);
      std::string ours;
      REQUIRE(WriteJson(*message, &ours));
      REQUIRE(ours == ProtobufJson(*message));
      ++compared;
    }
  }
  CHECK(compared >= 150 * 10);
}

TEST_CASE("timestamps print four-digit years as protobuf does, before year 1000 too") {
  // Found by tests/fuzz/gateway_request_fuzz: year 466 came out as "466-03-08T10:15:30Z".
  zhongtai::order::v1::ExportOrdersCsvRequest message;
  for (int64_t seconds : {-47850932670LL, -62135596800LL, -30610224000LL, 0LL, 253402300799LL}) {
    message.mutable_created_after()->set_seconds(seconds);
    message.mutable_created_after()->set_nanos(seconds == 0 ? 5000 : 0);
    INFO(seconds);
    std::string ours;
    REQUIRE(WriteJson(message, &ours));
    CHECK(ours == ProtobufJson(message));
  }
}

TEST_CASE("WriteJson declines types whose JSON it does not write") {
  google::protobuf::Struct with_double;
  (*with_double.mutable_fields())["price"].set_number_value(1.5);
  std::string out;
  CHECK_FALSE(WriteJson(with_double, &out));
}

}  // namespace
}  // namespace zhongtai::gateway
