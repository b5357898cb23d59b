#include "services/gateway/errors.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/details.h"
#include "common/status/status.h"

namespace zhongtai::gateway {
namespace {

// A JSON string must be UTF-8; an error message may quote what the client sent (the JSON parser quotes the body
// around the fault), so every byte that does not start a valid UTF-8 sequence becomes U+FFFD. Without it a body with
// bytes like 0xF9 answered an INVALID_JSON error that was itself not JSON (found by tests/fuzz/gateway_request_fuzz).
std::string ValidUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    bool ok = extra >= 0 && s.size() - i > static_cast<size_t>(extra);
    uint32_t cp = ok ? (extra == 0 ? c : c & (0x7F >> (extra + 1))) : 0;
    for (int k = 1; ok && k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[extra] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.append(s.data() + i, extra + 1);
      i += extra + 1;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

}  // namespace

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kUnknown: return 500;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists: return 409;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kFailedPrecondition: return 400;
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kInternal: return 500;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDataLoss: return 500;
    case absl::StatusCode::kUnauthenticated: return 401;
    default: return 500;
  }
}

HttpResponse ErrorResponse(const absl::Status& status, int http_status) {
  HttpResponse response;
  response.status = http_status != 0 ? http_status : HttpStatusOf(status.code());
  std::string reason = ReasonOf(status);
  std::string field = FieldOf(status);
  std::string details =
      field.empty() ? "[]" : absl::StrCat("[{\"field\":\"", log::JsonEscape(ValidUtf8(field)), "\"}]");
  // The upstream's own details (e.g. the words that make a listing not compliant) follow the field.
  std::string upstream_details = DetailsOf(status);
  if (upstream_details.size() > 2) {
    absl::string_view inner(upstream_details.data() + 1, upstream_details.size() - 2);
    details = details == "[]" ? upstream_details : absl::StrCat(details.substr(0, details.size() - 1), ",", inner, "]");
  }
  response.body =
      absl::StrCat("{\"error\":{\"code\":", response.status, ",\"status\":\"", absl::StatusCodeToString(status.code()),
                   "\",\"reason\":\"", log::JsonEscape(ValidUtf8(reason)), "\",\"message\":\"",
                   log::JsonEscape(ValidUtf8(status.message())), "\",\"details\":", details, "}}");
  if (status.code() == absl::StatusCode::kResourceExhausted) response.headers.emplace_back("Retry-After", "1");
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  }
  return response;
}

absl::Status PublicUpstreamStatus(const absl::Status& status, absl::string_view upstream) {
  if (status.ok() || !ReasonOf(status).empty()) return status;
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return Error(status.code(), "UPSTREAM_UNAVAILABLE", absl::StrCat("the ", upstream, " service is unavailable"));
    case absl::StatusCode::kDeadlineExceeded:
      return Error(status.code(), "UPSTREAM_TIMEOUT",
                   absl::StrCat("the ", upstream, " service did not answer in time"));
    case absl::StatusCode::kCancelled: return Error(status.code(), "CANCELLED", "the request was cancelled");
    case absl::StatusCode::kUnimplemented:
      return Error(status.code(), "NOT_IMPLEMENTED", "this route is not implemented yet");
    case absl::StatusCode::kResourceExhausted:
      return Error(status.code(), "OVERLOADED", absl::StrCat("the ", upstream, " service is overloaded"));
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss: return Error(status.code(), "INTERNAL", "internal error");
    default: return Error(status.code(), absl::StatusCodeToString(status.code()), status.message());
  }
}

}  // namespace zhongtai::gateway
