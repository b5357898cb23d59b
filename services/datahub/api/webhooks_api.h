// zhongtai.datahub.v1.WebhookService: admins' webhook subscriptions, their delivery log and replays; proto <-> domain
// on the worker pool. Admin only (the proto's access, enforced by the service runner's interceptor).
#pragma once

#include "common/server/worker_pool.h"
#include "services/datahub/domain/webhooks.h"
#include "zhongtai/datahub/v1/webhooks.grpc.pb.h"

namespace zhongtai::datahub {

class WebhooksApi : public v1::WebhookService::CallbackService {
 public:
  WebhooksApi(WebhookAdmin& admin, server::WorkerPool& workers) : admin_(admin), workers_(workers) {}

  grpc::ServerUnaryReactor* CreateWebhook(grpc::CallbackServerContext* context, const v1::CreateWebhookRequest* request,
                                          v1::CreateWebhookResponse* response) override;
  grpc::ServerUnaryReactor* ListWebhooks(grpc::CallbackServerContext* context, const v1::ListWebhooksRequest* request,
                                         v1::ListWebhooksResponse* response) override;
  grpc::ServerUnaryReactor* GetWebhook(grpc::CallbackServerContext* context, const v1::GetWebhookRequest* request,
                                       v1::GetWebhookResponse* response) override;
  grpc::ServerUnaryReactor* UpdateWebhook(grpc::CallbackServerContext* context, const v1::UpdateWebhookRequest* request,
                                          v1::UpdateWebhookResponse* response) override;
  grpc::ServerUnaryReactor* DeleteWebhook(grpc::CallbackServerContext* context, const v1::DeleteWebhookRequest* request,
                                          v1::DeleteWebhookResponse* response) override;
  grpc::ServerUnaryReactor* ListWebhookDeliveries(grpc::CallbackServerContext* context,
                                                  const v1::ListWebhookDeliveriesRequest* request,
                                                  v1::ListWebhookDeliveriesResponse* response) override;
  grpc::ServerUnaryReactor* ReplayWebhookDeliveries(grpc::CallbackServerContext* context,
                                                    const v1::ReplayWebhookDeliveriesRequest* request,
                                                    v1::ReplayWebhookDeliveriesResponse* response) override;

 private:
  WebhookAdmin& admin_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::datahub
