// Errors across the suite: absl::Status carrying a machine-readable reason (UPPER_SNAKE) and, for
// bad input, the offending field. grpc_status.h maps them to and from gRPC.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhongtai {

// absl::Status payload keys.
inline constexpr char kReasonPayload[] = "zhongtai.reason";
inline constexpr char kFieldPayload[] = "zhongtai.field";

// A status with a reason (and optionally a field) attached.
absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                   absl::string_view field = "");

// Shorthands for the common cases.
absl::Status InvalidArgument(absl::string_view field, absl::string_view reason, absl::string_view message);
absl::Status NotFound(absl::string_view reason, absl::string_view message);
absl::Status FailedPrecondition(absl::string_view reason, absl::string_view message);
absl::Status AlreadyExists(absl::string_view reason, absl::string_view message);
absl::Status Aborted(absl::string_view reason, absl::string_view message);
absl::Status Unavailable(absl::string_view reason, absl::string_view message);
absl::Status Internal(absl::string_view reason, absl::string_view message);

// The reason and field of a status, empty when none was attached.
std::string ReasonOf(const absl::Status& status);
std::string FieldOf(const absl::Status& status);

}  // namespace zhongtai

// Early return on error: RETURN_IF_ERROR(expr) and ASSIGN_OR_RETURN(lhs, expr).
#define ZT_CONCAT_INNER_(a, b) a##b
#define ZT_CONCAT_(a, b) ZT_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status zt_status_ = (expr);      \
    if (!zt_status_.ok()) return zt_status_; \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr) ZT_ASSIGN_OR_RETURN_IMPL_(ZT_CONCAT_(zt_statusor_, __LINE__), lhs, expr)

#define ZT_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return statusor.status();        \
  lhs = std::move(statusor).value()
