#include "services/gateway/trace_context.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids/ids.h"

namespace zhongtai::gateway {
namespace {

bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

bool IsLowerHex(absl::string_view s, size_t size) {
  if (s.size() != size) return false;
  for (char c : s) {
    if (!(absl::ascii_isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'))) return false;
  }
  return s.find_first_not_of('0') != absl::string_view::npos;
}

}  // namespace

bool IsValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) {
      return false;
    }
  }
  return true;
}

std::string TraceIdOf(absl::string_view traceparent) {
  std::vector<absl::string_view> parts = absl::StrSplit(traceparent, '-');
  if (parts.size() != 4 || parts[0] != "00" || !IsLowerHex(parts[1], 32) || !IsLowerHex(parts[2], 16) ||
      parts[3].size() != 2 || !IsHex(parts[3][0]) || !IsHex(parts[3][1])) {
    return "";
  }
  return std::string(parts[1]);
}

std::string NextTraceparent(absl::string_view incoming) {
  std::string trace_id = TraceIdOf(incoming);
  if (trace_id.empty()) return absl::StrCat("00-", ids::RandomHex(32), "-", ids::RandomHex(16), "-01");
  return absl::StrCat("00-", trace_id, "-", ids::RandomHex(16), "-", incoming.substr(incoming.size() - 2));
}

}  // namespace zhongtai::gateway
