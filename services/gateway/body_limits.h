// Request body limits: one default for every route, and overrides for routes that need more (or less).
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/routes.h"

namespace zhongtai::gateway {

// "METHOD /path/template" (as in the proto option) -> bytes.
using RouteBodyLimits = std::map<std::string, size_t>;

// Parses a comma-separated list of "METHOD /path/template=BYTES", e.g.
// "POST /v1/admin/orders:import=1048576, PUT /v1/admin/compliance/words=262144". Empty: no overrides.
// INVALID_ARGUMENT naming the bad entry.
absl::StatusOr<RouteBodyLimits> ParseRouteBodyLimits(absl::string_view spec, size_t min_bytes, size_t max_bytes);

// The limits resolved against a route table.
class BodyLimits {
 public:
  BodyLimits() = default;
  // INVALID_ARGUMENT when an override names no route of `routes`. `routes` must outlive this.
  static absl::StatusOr<BodyLimits> Create(size_t default_limit, const RouteBodyLimits& overrides,
                                           const RouteTable& routes);

  // The limit for a request (path with or without query). Unmatched requests get the default.
  size_t For(absl::string_view method, absl::string_view target) const;
  // The largest limit of all: what the HTTP parser may accept before it knows the route.
  size_t max() const { return max_; }
  size_t default_limit() const { return default_; }

 private:
  size_t default_ = 64 << 10;
  size_t max_ = 64 << 10;
  const RouteTable* routes_ = nullptr;
  std::map<const Route*, size_t> overrides_;
};

}  // namespace zhongtai::gateway
