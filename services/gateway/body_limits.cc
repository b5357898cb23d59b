#include "services/gateway/body_limits.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace zhongtai::gateway {

absl::StatusOr<RouteBodyLimits> ParseRouteBodyLimits(absl::string_view spec, size_t min_bytes, size_t max_bytes) {
  RouteBodyLimits out;
  for (absl::string_view entry : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    size_t equals = entry.rfind('=');
    size_t space = entry.find(' ');
    uint64_t bytes = 0;
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("route body limit \"", entry, "\": ", why));
    };
    if (equals == absl::string_view::npos || space == absl::string_view::npos || space > equals) {
      return bad("want METHOD /path/template=BYTES");
    }
    absl::string_view method = entry.substr(0, space);
    absl::string_view path = absl::StripAsciiWhitespace(entry.substr(space + 1, equals - space - 1));
    if (!absl::SimpleAtoi(entry.substr(equals + 1), &bytes) || bytes < min_bytes || bytes > max_bytes) {
      return bad(absl::StrCat("the size must be from ", min_bytes, " to ", max_bytes, " bytes"));
    }
    if (path.empty() || path[0] != '/') return bad("want METHOD /path/template=BYTES");
    std::string key = absl::StrCat(absl::AsciiStrToUpper(method), " ", path);
    if (!out.emplace(key, static_cast<size_t>(bytes)).second) return bad("the route is listed twice");
  }
  return out;
}

absl::StatusOr<BodyLimits> BodyLimits::Create(size_t default_limit, const RouteBodyLimits& overrides,
                                              const RouteTable& routes) {
  BodyLimits limits;
  limits.default_ = default_limit;
  limits.max_ = default_limit;
  limits.routes_ = &routes;
  for (const auto& [key, bytes] : overrides) {
    const Route* found = nullptr;
    for (const Route& route : routes.routes()) {
      if (absl::StrCat(route.http_method, " ", route.path_template) == key ||
          absl::StrCat(route.http_method, " ", route.DisplayTemplate()) == key) {
        found = &route;
      }
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("route body limit for \"", key, "\": no such route"));
    }
    limits.overrides_[found] = bytes;
    limits.max_ = std::max(limits.max_, bytes);
  }
  return limits;
}

size_t BodyLimits::For(absl::string_view method, absl::string_view target) const {
  if (overrides_.empty() || routes_ == nullptr) return default_;
  RouteMatch match = routes_->Match(method, target.substr(0, target.find('?')));
  if (match.kind != RouteMatch::Kind::kFound) return default_;
  auto it = overrides_.find(match.route);
  return it == overrides_.end() ? default_ : it->second;
}

}  // namespace zhongtai::gateway
