#include "services/product/domain/page_tokens.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {

std::string EncodePageToken(const std::string& kind, const std::string& last_id) {
  return absl::WebSafeBase64Escape(absl::StrCat(kind, ":", last_id));
}

absl::StatusOr<std::string> DecodePageToken(const std::string& kind, const std::string& token) {
  std::string raw;
  std::string prefix = absl::StrCat(kind, ":");
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, prefix) || raw.size() == prefix.size()) {
    return InvalidArgument("pageToken", "INVALID_PAGE_TOKEN", "page token is not one this list returned");
  }
  return raw.substr(prefix.size());
}

absl::StatusOr<int64_t> DecodeNumberToken(const std::string& kind, const std::string& token) {
  ASSIGN_OR_RETURN(std::string raw, DecodePageToken(kind, token));
  int64_t n = 0;
  if (!absl::SimpleAtoi(raw, &n) || n < 0) {
    return InvalidArgument("pageToken", "INVALID_PAGE_TOKEN", "page token is not one this list returned");
  }
  return n;
}

}  // namespace zhongtai::product
