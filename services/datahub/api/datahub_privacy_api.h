// zhongtai.datahub.v1.DatahubPrivacyService: the data hub's part of a customer's data export, for the user service.
#pragma once

#include "common/server/worker_pool.h"
#include "services/datahub/store/pg_user_data_store.h"
#include "zhongtai/datahub/v1/privacy.grpc.pb.h"

namespace zhongtai::datahub {

class DatahubPrivacyApi : public v1::DatahubPrivacyService::CallbackService {
 public:
  // `max_events`: the most behaviour events one export carries (the newest).
  DatahubPrivacyApi(PgUserDataStore& store, server::WorkerPool& workers, int max_events = 10000)
      : store_(store), workers_(workers), max_events_(max_events) {}

  grpc::ServerUnaryReactor* ExportUserData(grpc::CallbackServerContext* context,
                                           const v1::ExportUserDataRequest* request,
                                           v1::ExportUserDataResponse* response) override;

 private:
  PgUserDataStore& store_;
  server::WorkerPool& workers_;
  int max_events_;
};

}  // namespace zhongtai::datahub
