// absl::Status <-> grpc::Status. The reason and field travel as trailing metadata
// (zt-error-reason, zt-error-field, zt-error-details-bin) so that any gRPC client can read them.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace zhongtai {

inline constexpr char kReasonTrailer[] = "zt-error-reason";
inline constexpr char kFieldTrailer[] = "zt-error-field";
// Binary (UTF-8 JSON) details of common/status/details.h.
inline constexpr char kDetailsTrailer[] = "zt-error-details-bin";

// Converts a status for a server to return; adds the reason and field trailers to `context`.
grpc::Status ToGrpcStatus(const absl::Status& status, grpc::ServerContextBase* context);

// Converts a client call's result back, reading the reason and field trailers from `context`.
absl::Status FromGrpcStatus(const grpc::Status& status, const grpc::ClientContext& context);

// Converts a client call's result without trailers (reason and field lost).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace zhongtai
