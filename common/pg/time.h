// The suite's SQL time convention: a time crosses the SQL boundary as bigint microseconds since the Unix epoch,
// exact both ways. In SQL a parameter becomes a timestamptz with TimestampFromMicros(n) (integer interval
// arithmetic; no float8 in between, as to_timestamp() would have) and a column becomes micros with
// (extract(epoch from col) * 1000000)::bigint (numeric, exact).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "pqxx/pqxx"

namespace zhongtai::pg {

inline int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

inline absl::Time TimeFromMicros(const pqxx::field& field) { return absl::FromUnixMicros(field.as<int64_t>()); }

inline std::optional<absl::Time> OptionalTimeFromMicros(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return TimeFromMicros(field);
}

// SQL for the timestamptz of bigint parameter $`param`.
inline std::string TimestampFromMicros(int param) {
  return absl::StrCat("('epoch'::timestamptz + $", param, "::bigint * interval '1 microsecond')");
}

}  // namespace zhongtai::pg
