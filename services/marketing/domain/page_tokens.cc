#include "services/marketing/domain/page_tokens.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::marketing {

std::string EncodeIdToken(absl::string_view prefix, const std::string& last_id) {
  return absl::WebSafeBase64Escape(absl::StrCat(prefix, last_id));
}

absl::StatusOr<std::string> DecodeIdToken(absl::string_view prefix, const std::string& token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, prefix) || raw.size() == prefix.size()) {
    return InvalidArgument("pageToken", "PAGE_TOKEN_INVALID", "page token is not valid");
  }
  return raw.substr(prefix.size());
}

}  // namespace zhongtai::marketing
