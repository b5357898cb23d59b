// Member tags: manual ones that admins give, and computed ones that the data hub derives (one per kind: the RFM
// segment "rfm:<segment>" and the predicted LTV band "ltv:<band>"). Pure functions; segments.h uses them.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::user {

inline constexpr int kMaxTagChars = 32;
inline constexpr int kMaxTagsPerRequest = 20;
inline constexpr int kMaxManualTagsPerMember = 50;

// A manual tag as stored: ASCII letters lowered; then 1 to kMaxTagChars characters, each a lower-case ASCII letter,
// a digit, '_', '-' or a CJK character (U+3400..U+9FFF); ':' is kept for computed tags. INVALID_ARGUMENT
// TAG_INVALID (field `field`) otherwise.
absl::StatusOr<std::string> NormalizeManualTag(const std::string& tag, const std::string& field);

// The kinds of computed tags.
enum class ComputedKind { kRfm, kLtv };
const char* ComputedKindCode(ComputedKind kind);  // "rfm", "ltv"
bool ParseComputedKind(const std::string& code, ComputedKind* kind);

struct ComputedTag {
  ComputedKind kind = ComputedKind::kRfm;
  std::string tag;  // "<kind>:<value>"
  absl::Time computed_at;
};

// "<kind>:<value>" for a value made of lower-case ASCII letters, digits and '_' (1 to 24); INVALID_ARGUMENT
// TAG_INVALID otherwise.
absl::StatusOr<ComputedTag> MakeComputedTag(ComputedKind kind, const std::string& value, absl::Time computed_at);

// Whether `incoming` replaces `stored` (same kind): a computation never replaces a later one; the same time again
// (a repeat) replaces, which changes nothing.
bool ReplacesComputedTag(const ComputedTag& stored, const ComputedTag& incoming);

// Whether `tag` names a computed tag ("rfm:..." or "ltv:...").
bool IsComputedTag(const std::string& tag);

// A tag to search by (GET /v1/admin/users?tag=, segment listing): a manual tag normalised, or a computed one as
// it is. INVALID_ARGUMENT TAG_INVALID.
absl::StatusOr<std::string> NormalizeTagFilter(const std::string& tag, const std::string& field);

}  // namespace zhongtai::user
