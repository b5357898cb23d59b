#include "services/user/api/privacy_api.h"

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

using proto::ToTimestamp;

v1::DataExportState ToProto(ExportState state) {
  switch (state) {
    case ExportState::kPending: return v1::DATA_EXPORT_STATE_PENDING;
    case ExportState::kReady: return v1::DATA_EXPORT_STATE_READY;
    case ExportState::kFailed: return v1::DATA_EXPORT_STATE_FAILED;
  }
  return v1::DATA_EXPORT_STATE_UNSPECIFIED;
}

void ToProto(const DataExport& data_export, v1::DataExport* out) {
  out->set_export_id(data_export.export_id);
  out->set_state(ToProto(data_export.state));
  *out->mutable_create_time() = ToTimestamp(data_export.created_at);
  if (data_export.completed_at) *out->mutable_complete_time() = ToTimestamp(*data_export.completed_at);
  if (data_export.expires_at) *out->mutable_expire_time() = ToTimestamp(*data_export.expires_at);
}

}  // namespace

grpc::ServerUnaryReactor* PrivacyApi::CreateDataExport(grpc::CallbackServerContext* context,
                                                       const v1::CreateDataExportRequest* request,
                                                       v1::CreateDataExportResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(DataExport data_export, exports_.Request(user_id, request->request_id()));
    ToProto(data_export, response->mutable_data_export());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PrivacyApi::GetDataExport(grpc::CallbackServerContext* context,
                                                    const v1::GetDataExportRequest* request,
                                                    v1::GetDataExportResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(DataExport data_export, exports_.Get(user_id, request->export_id()));
    ToProto(data_export, response->mutable_data_export());
    if (data_export.state == ExportState::kReady &&
        !response->mutable_archive()->ParseFromString(data_export.archive)) {
      return Error(absl::StatusCode::kInternal, "DATA_EXPORT_CORRUPT", "the archive cannot be read; request a new one");
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PrivacyApi::DeleteMe(grpc::CallbackServerContext* context, const v1::DeleteMeRequest* request,
                                               v1::DeleteMeResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    RETURN_IF_ERROR(erasure_.Erase(user_id, request->current_password()));
    response->set_erased(true);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::user
