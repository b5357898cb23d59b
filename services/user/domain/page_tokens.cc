#include "services/user/domain/page_tokens.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

// Years 1..9999 in microseconds since the epoch.
constexpr int64_t kEarliestMicros = -62135596800000000;
constexpr int64_t kLatestMicros = 253402300799000000;

absl::Status BadToken() {
  return InvalidArgument("pageToken", "PAGE_TOKEN_INVALID", "page token is not one this list gave out");
}

}  // namespace

std::string EncodeMemberToken(const MemberCursor& last) {
  return absl::WebSafeBase64Escape(absl::StrCat("members:", absl::ToUnixMicros(last.registered_at), ":", last.user_id));
}

absl::StatusOr<std::optional<MemberCursor>> DecodeMemberToken(const std::string& token) {
  if (token.empty()) return std::optional<MemberCursor>();
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(token, &decoded)) return BadToken();
  absl::string_view rest = decoded;
  if (!absl::ConsumePrefix(&rest, "members:")) return BadToken();
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(rest, absl::MaxSplits(':', 1));
  int64_t micros = 0;
  if (!absl::SimpleAtoi(parts.first, &micros) || micros < kEarliestMicros || micros > kLatestMicros ||
      parts.second.empty()) {
    return BadToken();
  }
  return std::optional<MemberCursor>(MemberCursor{absl::FromUnixMicros(micros), std::string(parts.second)});
}

std::string EncodeSegmentToken(const std::string& last_user_id) {
  return absl::WebSafeBase64Escape(absl::StrCat("segment:", last_user_id));
}

absl::StatusOr<std::string> DecodeSegmentToken(const std::string& token) {
  if (token.empty()) return std::string();
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(token, &decoded)) return BadToken();
  absl::string_view rest = decoded;
  if (!absl::ConsumePrefix(&rest, "segment:") || rest.empty()) return BadToken();
  return std::string(rest);
}

std::string EncodePointsToken(int64_t before_seq) {
  if (before_seq == 0) return "";
  return absl::WebSafeBase64Escape(absl::StrCat("points:", before_seq));
}

absl::StatusOr<int64_t> DecodePointsToken(const std::string& token) {
  if (token.empty()) return 0;
  std::string decoded;
  int64_t seq = 0;
  bool ok = absl::WebSafeBase64Unescape(token, &decoded);
  absl::string_view rest = decoded;
  if (!ok || !absl::ConsumePrefix(&rest, "points:") || !absl::SimpleAtoi(rest, &seq) || seq <= 0) return BadToken();
  return seq;
}

}  // namespace zhongtai::user
