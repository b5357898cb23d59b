// Random ids and names, one place for them all. Time-ordered opaque ids: a prefix, 10 characters of
// milliseconds since the epoch and 10 random characters, all in Crockford base32, so that ids sort by
// creation time and never collide in practice. Random hex and UUID-shaped keys for what must be unique but
// not secret. Secrets (refresh tokens) come from a cryptographic generator: auth::RandomToken.
#pragma once

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace zhongtai::ids {

std::string NewId(const std::string& prefix, absl::Time now = absl::Now());

// `chars` random lower-case hex digits: consumer names, test databases, request and trace ids.
std::string RandomHex(int chars);

// A random UUID-shaped key (8-4-4-4-12 lower-case hex digits), e.g. an idempotency key.
std::string NewIdempotencyKey();

}  // namespace zhongtai::ids
