#include "services/gateway/json_reader.h"

#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/numbers.h"
#include "google/protobuf/descriptor.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Deeper bodies go to protobuf (whose own limit is 100).
constexpr int kMaxDepth = 32;

// A type's fields by JSON name and by proto name (protobuf accepts both). Built once per type.
using FieldIndex = absl::flat_hash_map<std::string, const FieldDescriptor*>;

const FieldIndex& IndexOf(const Descriptor* type) {
  static std::mutex mu;
  static auto* cache = new std::unordered_map<const Descriptor*, std::unique_ptr<FieldIndex>>();
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<FieldIndex>& index = (*cache)[type];
  if (index == nullptr) {
    index = std::make_unique<FieldIndex>();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      index->emplace(field->json_name(), field);
      index->emplace(field->name(), field);
    }
  }
  return *index;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The length of the valid UTF-8 sequence at p (p < end, *p >= 0x80), 0 when there is none: no overlong forms, no
// surrogates, nothing above U+10FFFF.
size_t Utf8Length(const char* p, const char* end) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(p[i]); };
  const auto cont = [&](size_t i) { return p + i < end && (byte(i) & 0xC0) == 0x80; };
  const unsigned char c = byte(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && byte(1) < 0xA0) return 0;
    if (c == 0xED && byte(1) > 0x9F) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && byte(1) < 0x90) return 0;
    if (c == 0xF4 && byte(1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool LeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// "YYYY-MM-DDThh:mm:ss[.fff|.ffffff|.fffffffff]Z", every part in range; anything else (offsets, other fraction
// widths, lower-case letters) is left to protobuf.
bool ParseTimestamp(absl::string_view s, int64_t* seconds, int32_t* nanos) {
  const auto number = [&](size_t at, size_t width, int* out) {
    if (at + width > s.size()) return false;
    int v = 0;
    for (size_t i = at; i < at + width; ++i) {
      if (!IsDigit(s[i])) return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int year, month, day, hour, minute, second;
  if (s.size() < 20 || !number(0, 4, &year) || s[4] != '-' || !number(5, 2, &month) || s[7] != '-' ||
      !number(8, 2, &day) || s[10] != 'T' || !number(11, 2, &hour) || s[13] != ':' || !number(14, 2, &minute) ||
      s[16] != ':' || !number(17, 2, &second)) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  if (day > kDays[month - 1] + (month == 2 && LeapYear(year) ? 1 : 0)) return false;
  size_t at = 19;
  int fraction = 0;
  if (s[at] == '.') {
    size_t digits = 0;
    while (at + 1 + digits < s.size() && IsDigit(s[at + 1 + digits])) ++digits;
    if (digits != 3 && digits != 6 && digits != 9) return false;
    if (!number(at + 1, digits, &fraction)) return false;
    for (size_t i = digits; i < 9; ++i) fraction *= 10;
    at += 1 + digits;
  }
  if (at + 1 != s.size() || s[at] != 'Z') return false;
  *seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  *nanos = fraction;
  return true;
}

class Reader {
 public:
  explicit Reader(absl::string_view json) : p_(json.data()), end_(json.data() + json.size()) {}

  bool Document(Message* message) {
    if (!Object(message, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // Skips space, then consumes c if it is next.
  bool Take(char c) {
    SkipSpace();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }

  bool Object(Message* message, int depth) {
    if (depth > kMaxDepth || !Take('{')) return false;
    const Descriptor* type = message->GetDescriptor();
    const Reflection* reflection = message->GetReflection();
    if (type != last_type_) {
      last_type_ = type;
      last_index_ = &IndexOf(type);
    }
    const FieldIndex& index = *last_index_;
    absl::InlinedVector<bool, 16> seen(type->field_count(), false);
    absl::InlinedVector<bool, 4> oneof_seen(type->oneof_decl_count(), false);
    if (Take('}')) return true;
    std::string key;
    for (;;) {
      if (!String(&key) || !Take(':')) return false;
      auto it = index.find(key);
      if (it == index.end()) return false;  // unknown: protobuf words the error
      const FieldDescriptor* field = it->second;
      if (seen[field->index()]) return false;  // twice (or under both names)
      seen[field->index()] = true;
      if (const auto* oneof = field->containing_oneof()) {
        if (oneof_seen[oneof->index()]) return false;
        oneof_seen[oneof->index()] = true;
      }
      if (!Field(message, reflection, field, depth)) return false;
      if (Take(',')) continue;
      if (Take('}')) return true;
      return false;
    }
  }

  bool Field(Message* message, const Reflection* reflection, const FieldDescriptor* field, int depth) {
    if (field->is_map()) return false;
    if (!field->is_repeated()) return Value(message, reflection, field, depth, false);
    if (!Take('[')) return false;
    if (Take(']')) return true;
    for (;;) {
      if (!Value(message, reflection, field, depth, true)) return false;
      if (Take(',')) continue;
      if (Take(']')) return true;
      return false;
    }
  }

  bool Value(Message* message, const Reflection* r, const FieldDescriptor* f, int depth, bool add) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        if (f->type() == FieldDescriptor::TYPE_BYTES) return false;
        std::string value;
        if (!String(&value)) return false;
        add ? r->AddString(message, f, std::move(value)) : r->SetString(message, f, std::move(value));
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v;
        if (!Integer(&v)) return false;
        add ? r->AddInt32(message, f, v) : r->SetInt32(message, f, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v;
        if (!Integer(&v)) return false;
        add ? r->AddInt64(message, f, v) : r->SetInt64(message, f, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v;
        if (!Integer(&v)) return false;
        add ? r->AddUInt32(message, f, v) : r->SetUInt32(message, f, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v;
        if (!Integer(&v)) return false;
        add ? r->AddUInt64(message, f, v) : r->SetUInt64(message, f, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double v;
        if (!Double(&v)) return false;
        add ? r->AddDouble(message, f, v) : r->SetDouble(message, f, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool v;
        if (!Bool(&v)) return false;
        add ? r->AddBool(message, f, v) : r->SetBool(message, f, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        if (f->enum_type()->full_name() == "google.protobuf.NullValue") return false;
        std::string name;
        if (!String(&name)) return false;
        const auto* value = f->enum_type()->FindValueByName(name);
        if (value == nullptr) return false;
        add ? r->AddEnum(message, f, value) : r->SetEnum(message, f, value);
        return true;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        const Descriptor* type = f->message_type();
        if (type->full_name() == "google.protobuf.Timestamp") {
          std::string text;
          int64_t seconds;
          int32_t nanos;
          if (!String(&text) || !ParseTimestamp(text, &seconds, &nanos)) return false;
          Message* ts = add ? r->AddMessage(message, f) : r->MutableMessage(message, f);
          const Reflection* tr = ts->GetReflection();
          tr->SetInt64(ts, type->FindFieldByNumber(1), seconds);
          tr->SetInt32(ts, type->FindFieldByNumber(2), nanos);
          return true;
        }
        // Any, Struct, Value, wrappers, Duration, FieldMask, Empty: their JSON is special.
        if (type->file()->package() == "google.protobuf") return false;
        return Object(add ? r->AddMessage(message, f) : r->MutableMessage(message, f), depth + 1);
      }
      case FieldDescriptor::CPPTYPE_FLOAT: return false;  // protobuf's float rounding and range rules
    }
    return false;
  }

  // A JSON string into out (decoded); false for anything protobuf might treat differently.
  bool String(std::string* out) {
    SkipSpace();
    if (p_ >= end_ || *p_ != '"') return false;
    ++p_;
    out->clear();
    const char* start = p_;
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out->append(start, p_);
        ++p_;
        return true;
      }
      if (c == '\\') {
        out->append(start, p_);
        ++p_;
        if (!Escape(out)) return false;
        start = p_;
        continue;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const size_t n = Utf8Length(p_, end_);
        if (n == 0) return false;
        p_ += n;
        continue;
      }
      ++p_;
    }
    return false;
  }

  bool Hex4(uint32_t* out) {
    if (end_ - p_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = p_[i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    p_ += 4;
    *out = v;
    return true;
  }

  // After a backslash.
  bool Escape(std::string* out) {
    if (p_ >= end_) return false;
    const char c = *p_++;
    switch (c) {
      case '"': out->push_back('"'); return true;
      case '\\': out->push_back('\\'); return true;
      case '/': out->push_back('/'); return true;
      case 'b': out->push_back('\b'); return true;
      case 'f': out->push_back('\f'); return true;
      case 'n': out->push_back('\n'); return true;
      case 'r': out->push_back('\r'); return true;
      case 't': out->push_back('\t'); return true;
      case 'u': {
        uint32_t cp;
        if (!Hex4(&cp) || cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        AppendUtf8(cp, out);
        return true;
      }
      default: return false;
    }
  }

  // A JSON integer, bare or quoted: -?(0|[1-9][0-9]*), no fraction or exponent, not "-0"; in T's range.
  template <typename T>
  bool Integer(T* out) {
    SkipSpace();
    const bool quoted = p_ < end_ && *p_ == '"';
    if (quoted) ++p_;
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_ || !IsDigit(*p_)) return false;
    if (*p_ == '0' && (p_ + 1 < end_ && IsDigit(p_[1]))) return false;
    if (*p_ == '0' && *start == '-') return false;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    const absl::string_view digits(start, p_ - start);
    if (quoted) {
      if (p_ >= end_ || *p_ != '"') return false;
      ++p_;
    } else if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) {
      return false;
    }
    return absl::SimpleAtoi(digits, out);
  }

  // A bare JSON number, finite, not a negative zero; an integer at most 2^53 in size (protobuf refuses integers a
  // double cannot hold exactly).
  bool Double(double* out) {
    SkipSpace();
    const char* start = p_;
    bool integer = true;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_ || !IsDigit(*p_)) return false;
    if (*p_ == '0' && p_ + 1 < end_ && IsDigit(p_[1])) return false;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      integer = false;
      if (p_ >= end_ || !IsDigit(*p_)) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      integer = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || !IsDigit(*p_)) return false;
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (!absl::SimpleAtod(absl::string_view(start, p_ - start), out)) return false;
    if (integer && std::fabs(*out) > 9007199254740992.0) return false;
    return std::isfinite(*out) && !(*out == 0 && std::signbit(*out));
  }

  bool Bool(bool* out) {
    SkipSpace();
    const absl::string_view rest(p_, end_ - p_);
    if (rest.substr(0, 4) == "true") {
      p_ += 4;
      *out = true;
      return true;
    }
    if (rest.substr(0, 5) == "false") {
      p_ += 5;
      *out = false;
      return true;
    }
    return false;
  }

  const char* p_;
  const char* end_;
  const Descriptor* last_type_ = nullptr;
  const FieldIndex* last_index_ = nullptr;
};

}  // namespace

bool ReadJson(absl::string_view json, Message* message) { return Reader(json).Document(message); }

}  // namespace zhongtai::gateway
