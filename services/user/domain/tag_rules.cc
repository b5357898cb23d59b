#include "services/user/domain/tag_rules.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

absl::Status TagInvalid(const std::string& field, const std::string& why) {
  return InvalidArgument(field, "TAG_INVALID", why);
}

// Decodes one UTF-8 character at `i`; false for a malformed sequence.
bool NextCodePoint(const std::string& s, size_t& i, uint32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  int extra = 0;
  if (lead < 0x80) {
    cp = lead;
  } else if ((lead & 0xE0) == 0xC0) {
    cp = lead & 0x1F;
    extra = 1;
  } else if ((lead & 0xF0) == 0xE0) {
    cp = lead & 0x0F;
    extra = 2;
  } else if ((lead & 0xF8) == 0xF0) {
    cp = lead & 0x07;
    extra = 3;
  } else {
    return false;
  }
  if (extra > 0 && i + extra >= s.size()) return false;
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += extra + 1;
  return true;
}

bool IsCjk(uint32_t cp) { return cp >= 0x3400 && cp <= 0x9FFF; }

bool IsComputedValueChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

}  // namespace

absl::StatusOr<std::string> NormalizeManualTag(const std::string& tag, const std::string& field) {
  if (tag.empty()) return TagInvalid(field, "a tag must not be empty");
  std::string out;
  int chars = 0;
  for (size_t i = 0; i < tag.size();) {
    uint32_t cp = 0;
    const size_t start = i;
    if (!NextCodePoint(tag, i, cp)) return TagInvalid(field, "a tag must be UTF-8");
    ++chars;
    if (cp >= 'A' && cp <= 'Z') {
      out.push_back(static_cast<char>(cp - 'A' + 'a'));
    } else if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_' || cp == '-' || IsCjk(cp)) {
      out.append(tag, start, i - start);
    } else if (cp == ':') {
      return TagInvalid(field, "':' is kept for computed tags (rfm:..., ltv:...)");
    } else {
      return TagInvalid(field, "a tag is letters, digits, '_', '-' or CJK characters");
    }
  }
  if (chars > kMaxTagChars) return TagInvalid(field, absl::StrCat("a tag is at most ", kMaxTagChars, " characters"));
  return out;
}

const char* ComputedKindCode(ComputedKind kind) { return kind == ComputedKind::kRfm ? "rfm" : "ltv"; }

bool ParseComputedKind(const std::string& code, ComputedKind* kind) {
  if (code == "rfm") {
    *kind = ComputedKind::kRfm;
  } else if (code == "ltv") {
    *kind = ComputedKind::kLtv;
  } else {
    return false;
  }
  return true;
}

absl::StatusOr<ComputedTag> MakeComputedTag(ComputedKind kind, const std::string& value, absl::Time computed_at) {
  if (value.empty() || value.size() > 24) return TagInvalid("tag", "a computed tag's value is 1 to 24 characters");
  for (char c : value) {
    if (!IsComputedValueChar(c)) return TagInvalid("tag", "a computed tag's value is a-z, 0-9 and '_'");
  }
  return ComputedTag{kind, absl::StrCat(ComputedKindCode(kind), ":", value), computed_at};
}

bool ReplacesComputedTag(const ComputedTag& stored, const ComputedTag& incoming) {
  return incoming.computed_at >= stored.computed_at;
}

bool IsComputedTag(const std::string& tag) { return absl::StartsWith(tag, "rfm:") || absl::StartsWith(tag, "ltv:"); }

absl::StatusOr<std::string> NormalizeTagFilter(const std::string& tag, const std::string& field) {
  if (IsComputedTag(tag)) {
    const size_t colon = tag.find(':');
    ComputedKind kind = ComputedKind::kRfm;
    ParseComputedKind(tag.substr(0, colon), &kind);
    absl::StatusOr<ComputedTag> computed = MakeComputedTag(kind, tag.substr(colon + 1), absl::InfinitePast());
    if (!computed.ok()) return TagInvalid(field, std::string(computed.status().message()));
    return computed->tag;
  }
  return NormalizeManualTag(tag, field);
}

}  // namespace zhongtai::user
