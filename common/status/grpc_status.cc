#include "common/status/grpc_status.h"

#include <string>

#include "common/status/details.h"
#include "common/status/status.h"

namespace zhongtai {

grpc::Status ToGrpcStatus(const absl::Status& status, grpc::ServerContextBase* context) {
  if (status.ok()) return grpc::Status::OK;
  if (context != nullptr) {
    std::string reason = ReasonOf(status);
    std::string field = FieldOf(status);
    if (!reason.empty()) context->AddTrailingMetadata(kReasonTrailer, reason);
    if (!field.empty()) context->AddTrailingMetadata(kFieldTrailer, field);
    std::string details = DetailsOf(status);
    if (!details.empty()) context->AddTrailingMetadata(kDetailsTrailer, details);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::Status FromGrpcStatus(const grpc::Status& status, const grpc::ClientContext& context) {
  if (status.ok()) return absl::OkStatus();
  std::string reason, field;
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto it = trailers.find(kReasonTrailer); it != trailers.end())
    reason.assign(it->second.data(), it->second.size());
  if (auto it = trailers.find(kFieldTrailer); it != trailers.end()) field.assign(it->second.data(), it->second.size());
  absl::Status out = Error(static_cast<absl::StatusCode>(status.error_code()), reason, status.error_message(), field);
  if (auto it = trailers.find(kDetailsTrailer); it != trailers.end()) {
    out = WithDetails(std::move(out), absl::string_view(it->second.data(), it->second.size()));
  }
  return out;
}

}  // namespace zhongtai
