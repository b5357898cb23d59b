#include "common/status/status.h"

#include "absl/strings/cord.h"

namespace zhongtai {

absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                   absl::string_view field) {
  absl::Status status(code, message);
  if (!reason.empty()) status.SetPayload(kReasonPayload, absl::Cord(reason));
  if (!field.empty()) status.SetPayload(kFieldPayload, absl::Cord(field));
  return status;
}

absl::Status InvalidArgument(absl::string_view field, absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kInvalidArgument, reason, message, field);
}
absl::Status NotFound(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kNotFound, reason, message);
}
absl::Status FailedPrecondition(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kFailedPrecondition, reason, message);
}
absl::Status AlreadyExists(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kAlreadyExists, reason, message);
}
absl::Status Aborted(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kAborted, reason, message);
}
absl::Status Unavailable(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kUnavailable, reason, message);
}
absl::Status Internal(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kInternal, reason, message);
}

std::string ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonPayload);
  return payload ? std::string(*payload) : std::string();
}

std::string FieldOf(const absl::Status& status) {
  auto payload = status.GetPayload(kFieldPayload);
  return payload ? std::string(*payload) : std::string();
}

}  // namespace zhongtai
