#include "services/order/api/after_sales_api.h"

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

using proto::SetMoney;
using proto::ToTimestamp;

v1::ReturnType TypeToProto(ReturnType type) {
  switch (type) {
    case ReturnType::kRefundOnly: return v1::RETURN_TYPE_REFUND_ONLY;
    case ReturnType::kReturnAndRefund: return v1::RETURN_TYPE_RETURN_AND_REFUND;
    case ReturnType::kExchange: return v1::RETURN_TYPE_EXCHANGE;
  }
  return v1::RETURN_TYPE_UNSPECIFIED;
}

v1::ReturnStatus StatusToProto(ReturnStatus status) {
  switch (status) {
    case ReturnStatus::kRequested: return v1::RETURN_STATUS_REQUESTED;
    case ReturnStatus::kApproved: return v1::RETURN_STATUS_APPROVED;
    case ReturnStatus::kRejected: return v1::RETURN_STATUS_REJECTED;
    case ReturnStatus::kReturnShipped: return v1::RETURN_STATUS_RETURN_SHIPPED;
    case ReturnStatus::kReceived: return v1::RETURN_STATUS_RECEIVED;
    case ReturnStatus::kRefunded: return v1::RETURN_STATUS_REFUNDED;
    case ReturnStatus::kReplacementShipped: return v1::RETURN_STATUS_REPLACEMENT_SHIPPED;
    case ReturnStatus::kExchanged: return v1::RETURN_STATUS_EXCHANGED;
  }
  return v1::RETURN_STATUS_UNSPECIFIED;
}

v1::ItemCondition ConditionToProto(ItemCondition condition) {
  switch (condition) {
    case ItemCondition::kSellable: return v1::ITEM_CONDITION_SELLABLE;
    case ItemCondition::kDamaged: return v1::ITEM_CONDITION_DAMAGED;
    case ItemCondition::kUnknown: break;
  }
  return v1::ITEM_CONDITION_UNSPECIFIED;
}

absl::StatusOr<ReturnType> TypeFromProto(v1::ReturnType type) {
  switch (type) {
    case v1::RETURN_TYPE_REFUND_ONLY: return ReturnType::kRefundOnly;
    case v1::RETURN_TYPE_RETURN_AND_REFUND: return ReturnType::kReturnAndRefund;
    case v1::RETURN_TYPE_EXCHANGE: return ReturnType::kExchange;
    default: break;
  }
  return InvalidArgument("type", "RETURN_TYPE_MISSING", "type is REFUND_ONLY, RETURN_AND_REFUND or EXCHANGE");
}

// Finishes the call with the return the use case answered (written into the response first) or its error.
async::Callback<Return> AnswerWithReturn(v1::Return* out, server::FinishCall finish) {
  return [out, finish = std::move(finish)](absl::StatusOr<Return> r) {
    if (r.ok()) ToProto(*r, out);
    finish(r.status());
  };
}

}  // namespace

void ToProto(const Return& r, v1::Return* out) {
  out->set_return_id(r.return_id);
  out->set_order_id(r.order_id);
  out->set_child_order_id(r.child_order_id);
  out->set_type(TypeToProto(r.type));
  out->set_status(StatusToProto(r.status));
  out->set_reason(r.reason);
  for (const std::string& url : r.photo_urls) out->add_photo_urls(url);
  for (const ReturnLine& line : r.lines) {
    v1::ReturnLine* l = out->add_lines();
    l->set_sku_id(line.sku_id);
    l->set_quantity(line.quantity);
    SetMoney(l->mutable_refund(), r.currency, line.refund);
    l->set_points_refund(line.points_refund);
    l->set_replacement_sku_id(line.replacement_sku_id);
  }
  if (!r.replacement_holds.empty()) out->set_replacement_warehouse_id(r.replacement_holds.front().warehouse_id);
  for (const ReplacementHold& hold : r.replacement_holds) {
    v1::ReplacementHold* h = out->add_replacement_holds();
    h->set_warehouse_id(hold.warehouse_id);
    h->set_sku_id(hold.sku_id);
    h->set_quantity(hold.quantity);
  }
  out->set_replacement_carrier(r.replacement_carrier);
  out->set_replacement_tracking_number(r.replacement_tracking_number);
  SetMoney(out->mutable_refund(), r.currency, r.refund_amount);
  SetMoney(out->mutable_shipping_refund(), r.currency, r.shipping_refund);
  out->set_points_refund(r.points_refund);
  out->set_return_carrier(r.return_carrier);
  out->set_return_tracking_number(r.return_tracking_number);
  out->set_condition(ConditionToProto(r.condition));
  *out->mutable_create_time() = ToTimestamp(r.created_at);
  for (const ReturnStatusChange& change : r.history) {
    v1::ReturnStatusChange* c = out->add_history();
    c->set_status(StatusToProto(change.status));
    *c->mutable_change_time() = ToTimestamp(change.at);
    c->set_note(change.note);
  }
}

grpc::ServerUnaryReactor* AfterSalesApi::RequestReturn(grpc::CallbackServerContext* context,
                                                       const v1::RequestReturnRequest* request,
                                                       v1::RequestReturnResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ReturnCommand command;
    command.user_id = std::move(user_id);
    command.order_id = request->order_id();
    command.child_order_id = request->child_order_id();
    command.request_id = request->request_id();
    ASSIGN_OR_RETURN(command.type, TypeFromProto(request->type()));
    command.reason = request->reason();
    command.photo_urls.assign(request->photo_urls().begin(), request->photo_urls().end());
    for (const auto& line : request->lines()) {
      command.lines.push_back({line.sku_id(), line.quantity(), line.replacement_sku_id()});
    }
    ASSIGN_OR_RETURN(Return r, returns_.RequestReturn(command));
    ToProto(r, response->mutable_return_());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AfterSalesApi::GetReturn(grpc::CallbackServerContext* context,
                                                   const v1::GetReturnRequest* request,
                                                   v1::GetReturnResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(Return r, returns_.GetReturn(user_id, request->return_id()));
    ToProto(r, response->mutable_return_());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AfterSalesApi::ShipReturn(grpc::CallbackServerContext* context,
                                                    const v1::ShipReturnRequest* request,
                                                    v1::ShipReturnResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(Return r,
                     returns_.ShipBack(user_id, request->return_id(), request->carrier(), request->tracking_number()));
    ToProto(r, response->mutable_return_());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AfterSalesApi::ApproveReturn(grpc::CallbackServerContext* context,
                                                       const v1::ApproveReturnRequest* request,
                                                       v1::ApproveReturnResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    returns_.Approve(request->return_id(), request->note(),
                     AnswerWithReturn(response->mutable_return_(), std::move(finish)));
  });
}

grpc::ServerUnaryReactor* AfterSalesApi::RejectReturn(grpc::CallbackServerContext* context,
                                                      const v1::RejectReturnRequest* request,
                                                      v1::RejectReturnResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(Return r, returns_.Reject(request->return_id(), request->note()));
    ToProto(r, response->mutable_return_());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AfterSalesApi::ReceiveReturn(grpc::CallbackServerContext* context,
                                                       const v1::ReceiveReturnRequest* request,
                                                       v1::ReceiveReturnResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    ItemCondition condition = ItemCondition::kUnknown;
    if (request->condition() == v1::ITEM_CONDITION_SELLABLE) condition = ItemCondition::kSellable;
    if (request->condition() == v1::ITEM_CONDITION_DAMAGED) condition = ItemCondition::kDamaged;
    returns_.Receive(request->return_id(), condition, request->note(),
                     AnswerWithReturn(response->mutable_return_(), std::move(finish)));
  });
}

}  // namespace zhongtai::order
