// Time-ordered opaque ids: a prefix, 10 characters of milliseconds since the epoch and 10 random
// characters, all in Crockford base32, so that ids sort by creation time and never collide in practice.
#pragma once

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace zhongtai::ids {

std::string NewId(const std::string& prefix, absl::Time now = absl::Now());

}  // namespace zhongtai::ids
