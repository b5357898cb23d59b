#include "services/datahub/api/webhooks_api.h"

#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

void ToProto(const WebhookSubscription& in, v1::Webhook* out) {
  out->set_webhook_id(in.id);
  out->set_url(in.url);
  for (const std::string& type : in.event_types) out->add_event_types(type);
  out->set_active(in.active);
  out->set_description(in.description);
  *out->mutable_create_time() = proto::ToTimestamp(in.created_at);
  *out->mutable_update_time() = proto::ToTimestamp(in.updated_at);
}

void ToProto(const WebhookDelivery& in, v1::WebhookDelivery* out) {
  out->set_delivery_id(absl::StrCat(in.id));
  out->set_event_id(in.event_id);
  out->set_event_type(in.event_type);
  *out->mutable_event_time() = proto::ToTimestamp(in.event_time);
  out->set_status(static_cast<v1::WebhookDeliveryStatus>(static_cast<int>(in.status)));
  out->set_attempts(in.attempts);
  out->set_last_response_code(in.last_status_code);
  out->set_last_error(in.last_error);
  *out->mutable_create_time() = proto::ToTimestamp(in.created_at);
  if (in.last_attempt_at) *out->mutable_last_attempt_time() = proto::ToTimestamp(*in.last_attempt_at);
  if (in.next_attempt_at) *out->mutable_next_attempt_time() = proto::ToTimestamp(*in.next_attempt_at);
  if (in.delivered_at) *out->mutable_delivered_time() = proto::ToTimestamp(*in.delivered_at);
}

absl::StatusOr<std::optional<absl::Time>> OptionalTime(bool has, const google::protobuf::Timestamp& ts,
                                                       const char* field) {
  if (!has) return std::optional<absl::Time>();
  if (!proto::IsValidTimestamp(ts)) {
    return InvalidArgument(field, "INVALID_TIMESTAMP", std::string(field) + " is not a valid timestamp");
  }
  return std::optional<absl::Time>(proto::FromTimestamp(ts));
}

absl::Status RequireId(const std::string& id) {
  if (id.empty()) return InvalidArgument("webhookId", "REQUIRED", "webhookId is required");
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* WebhooksApi::CreateWebhook(grpc::CallbackServerContext* context,
                                                     const v1::CreateWebhookRequest* request,
                                                     v1::CreateWebhookResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    WebhookSubscription subscription;
    subscription.url = request->url();
    subscription.event_types.assign(request->event_types().begin(), request->event_types().end());
    subscription.secret = request->secret();
    subscription.description = request->description();
    subscription.active = !request->paused();
    subscription.created_by = server::CurrentCaller().user_id;
    ASSIGN_OR_RETURN(WebhookSubscription created, admin_.Create(std::move(subscription), request->request_id()));
    ToProto(created, response->mutable_webhook());
    response->mutable_webhook()->set_secret(created.secret);  // shown in this answer only
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WebhooksApi::ListWebhooks(grpc::CallbackServerContext* context,
                                                    const v1::ListWebhooksRequest*,
                                                    v1::ListWebhooksResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<WebhookSubscription> list, admin_.List());
    for (const WebhookSubscription& s : list) ToProto(s, response->add_webhooks());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WebhooksApi::GetWebhook(grpc::CallbackServerContext* context,
                                                  const v1::GetWebhookRequest* request,
                                                  v1::GetWebhookResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(RequireId(request->webhook_id()));
    ASSIGN_OR_RETURN(WebhookSubscription s, admin_.Get(request->webhook_id()));
    ToProto(s, response->mutable_webhook());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WebhooksApi::UpdateWebhook(grpc::CallbackServerContext* context,
                                                     const v1::UpdateWebhookRequest* request,
                                                     v1::UpdateWebhookResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(RequireId(request->webhook_id()));
    WebhookAdmin::Update update;
    if (request->has_url()) update.url = request->url();
    update.event_types.assign(request->event_types().begin(), request->event_types().end());
    if (request->has_active()) update.active = request->active();
    if (request->has_description()) update.description = request->description();
    ASSIGN_OR_RETURN(WebhookSubscription s, admin_.Change(request->webhook_id(), update));
    ToProto(s, response->mutable_webhook());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WebhooksApi::DeleteWebhook(grpc::CallbackServerContext* context,
                                                     const v1::DeleteWebhookRequest* request,
                                                     v1::DeleteWebhookResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(RequireId(request->webhook_id()));
    RETURN_IF_ERROR(admin_.Delete(request->webhook_id()));
    response->set_webhook_id(request->webhook_id());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WebhooksApi::ListWebhookDeliveries(grpc::CallbackServerContext* context,
                                                             const v1::ListWebhookDeliveriesRequest* request,
                                                             v1::ListWebhookDeliveriesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(RequireId(request->webhook_id()));
    std::optional<DeliveryStatus> status;
    switch (request->status()) {
      case v1::WEBHOOK_DELIVERY_STATUS_UNSPECIFIED: break;
      case v1::WEBHOOK_DELIVERY_STATUS_PENDING: status = DeliveryStatus::kPending; break;
      case v1::WEBHOOK_DELIVERY_STATUS_DELIVERED: status = DeliveryStatus::kDelivered; break;
      case v1::WEBHOOK_DELIVERY_STATUS_DEAD: status = DeliveryStatus::kDead; break;
      default: return InvalidArgument("status", "WEBHOOK_DELIVERY_STATUS_INVALID", "status is not a delivery status");
    }
    ASSIGN_OR_RETURN(DeliveryPage page,
                     admin_.Deliveries(request->webhook_id(), status, request->page_token(), request->page_size()));
    for (const WebhookDelivery& d : page.deliveries) ToProto(d, response->add_deliveries());
    if (page.next_before_id > 0) response->set_next_page_token(absl::StrCat(page.next_before_id));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WebhooksApi::ReplayWebhookDeliveries(grpc::CallbackServerContext* context,
                                                               const v1::ReplayWebhookDeliveriesRequest* request,
                                                               v1::ReplayWebhookDeliveriesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(RequireId(request->webhook_id()));
    ASSIGN_OR_RETURN(std::optional<absl::Time> start,
                     OptionalTime(request->has_start_time(), request->start_time(), "startTime"));
    ASSIGN_OR_RETURN(std::optional<absl::Time> end,
                     OptionalTime(request->has_end_time(), request->end_time(), "endTime"));
    ASSIGN_OR_RETURN(int64_t queued, admin_.Replay(request->webhook_id(), request->delivery_id(), start, end));
    response->set_queued(queued);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
