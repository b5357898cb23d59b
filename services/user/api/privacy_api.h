// zhongtai.user.v1.PrivacyService: the customer's data export and account erasure. Maps proto <-> domain and runs the
// domain on the worker pool; the customer is always the call's verified user.
#pragma once

#include "common/server/worker_pool.h"
#include "services/user/domain/privacy_erasure.h"
#include "services/user/domain/privacy_exports.h"
#include "zhongtai/user/v1/privacy.grpc.pb.h"

namespace zhongtai::user {

class PrivacyApi : public v1::PrivacyService::CallbackService {
 public:
  PrivacyApi(DataExports& exports, AccountErasure& erasure, server::WorkerPool& workers)
      : exports_(exports), erasure_(erasure), workers_(workers) {}

  grpc::ServerUnaryReactor* CreateDataExport(grpc::CallbackServerContext* context,
                                             const v1::CreateDataExportRequest* request,
                                             v1::CreateDataExportResponse* response) override;
  grpc::ServerUnaryReactor* GetDataExport(grpc::CallbackServerContext* context, const v1::GetDataExportRequest* request,
                                          v1::GetDataExportResponse* response) override;
  grpc::ServerUnaryReactor* DeleteMe(grpc::CallbackServerContext* context, const v1::DeleteMeRequest* request,
                                     v1::DeleteMeResponse* response) override;

 private:
  DataExports& exports_;
  AccountErasure& erasure_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::user
