#include "services/order/api/order_api.h"

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

using proto::SetMoney;
using proto::ToTimestamp;

v1::OrderStatus StatusToProto(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPendingPayment:
    case OrderStatus::kPaying: return v1::ORDER_STATUS_PENDING_PAYMENT;
    case OrderStatus::kPaid: return v1::ORDER_STATUS_PAID;
    case OrderStatus::kCancelled: return v1::ORDER_STATUS_CANCELLED;
    default: return v1::ORDER_STATUS_UNSPECIFIED;
  }
}

// Finishes the call with the order the use case returned (written into the response first) or its error. Runs on
// whatever thread the use case ends on.
Callback<Order> AnswerWithOrder(v1::Order* out, server::FinishCall finish) {
  return [out, finish = std::move(finish)](absl::StatusOr<Order> order) {
    if (order.ok()) ToProto(*order, out);
    finish(order.status());
  };
}

v1::PaymentStatus AttemptStatusToProto(AttemptStatus status) {
  switch (status) {
    case AttemptStatus::kCreated:
    case AttemptStatus::kAwaitingBuyer: return v1::PAYMENT_STATUS_AWAITING_BUYER;
    case AttemptStatus::kSucceeded: return v1::PAYMENT_STATUS_SUCCEEDED;
    case AttemptStatus::kDeclined: return v1::PAYMENT_STATUS_DECLINED;
    case AttemptStatus::kClosed: return v1::PAYMENT_STATUS_CLOSED;
    case AttemptStatus::kRefundDue:
    case AttemptStatus::kRefunded: return v1::PAYMENT_STATUS_REFUNDED;
  }
  return v1::PAYMENT_STATUS_UNSPECIFIED;
}

}  // namespace

void ToProto(const PaymentAttempt& attempt, v1::Payment* out) {
  out->set_provider(attempt.provider);
  out->set_provider_payment_id(attempt.provider_payment_id);
  out->set_pay_url(attempt.pay_url);
  out->set_status(AttemptStatusToProto(attempt.status));
  SetMoney(out->mutable_amount(), attempt.currency, attempt.amount);
  out->set_attempt(attempt.attempt_no);
}

void ToProto(const Order& order, v1::Order* out) {
  out->set_order_id(order.order_id);
  out->set_user_id(order.user_id);
  out->set_status(StatusToProto(order.status));
  out->set_channel(order.channel);
  SetMoney(out->mutable_subtotal(), order.currency, order.subtotal);
  SetMoney(out->mutable_discount(), order.currency, order.discount);
  SetMoney(out->mutable_total(), order.currency, order.total);
  *out->mutable_create_time() = ToTimestamp(order.created_at);
  *out->mutable_pay_deadline() = ToTimestamp(order.pay_deadline);
  for (const OrderLine& line : order.lines) {
    v1::OrderLine* l = out->add_lines();
    l->set_sku_id(line.sku_id);
    l->set_quantity(line.quantity);
    SetMoney(l->mutable_unit_price(), order.currency, line.unit_price);
    SetMoney(l->mutable_subtotal(), order.currency, line.subtotal);
    SetMoney(l->mutable_discount(), order.currency, line.discount);
    SetMoney(l->mutable_total(), order.currency, line.total);
  }
  for (const StatusChange& change : order.history) {
    v1::StatusChange* c = out->add_history();
    c->set_status(StatusToProto(change.status));
    c->set_reason(change.reason);
    *c->mutable_change_time() = ToTimestamp(change.at);
  }
}

grpc::ServerUnaryReactor* OrderApi::PlaceOrder(grpc::CallbackServerContext* context,
                                               const v1::PlaceOrderRequest* request, v1::PlaceOrderResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    PlaceOrderCommand command;
    absl::StatusOr<std::string> user_id = server::CallingUserId();
    if (!user_id.ok()) return finish(user_id.status());
    command.user_id = *std::move(user_id);
    command.request_id = request->request_id();
    command.channel = request->channel();
    for (const auto& line : request->lines()) command.lines.push_back({line.sku_id(), line.quantity()});
    orders_.PlaceOrder(command, AnswerWithOrder(response->mutable_order(), std::move(finish)));
  });
}

grpc::ServerUnaryReactor* OrderApi::GetOrder(grpc::CallbackServerContext* context, const v1::GetOrderRequest* request,
                                             v1::GetOrderResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(Order order, orders_.GetOrder(user_id, request->order_id()));
    ToProto(order, response->mutable_order());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* OrderApi::ListOrders(grpc::CallbackServerContext* context,
                                               const v1::ListOrdersRequest* request, v1::ListOrdersResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(OrderPage page, orders_.ListOrders(user_id, request->page_size(), request->page_token()));
    for (const Order& order : page.orders) ToProto(order, response->add_orders());
    response->set_next_page_token(page.next_cursor);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* OrderApi::PayOrder(grpc::CallbackServerContext* context, const v1::PayOrderRequest* request,
                                             v1::PayOrderResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    absl::StatusOr<std::string> user_id = server::CallingUserId();
    if (!user_id.ok()) return finish(user_id.status());
    payments_.Pay(*user_id, request->order_id(),
                  [response, finish = std::move(finish)](absl::StatusOr<PayResult> paid) {
                    if (paid.ok()) {
                      ToProto(paid->order, response->mutable_order());
                      ToProto(paid->attempt, response->mutable_payment());
                    }
                    finish(paid.status());
                  });
  });
}

grpc::ServerUnaryReactor* OrderApi::NotifyPayment(grpc::CallbackServerContext* context,
                                                  const v1::NotifyPaymentRequest* request,
                                                  v1::NotifyPaymentResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    PaymentNotification notification;
    notification.provider = request->provider();
    notification.order_id = request->order_id();
    notification.payment_id = request->payment_id();
    if (request->status() == "SUCCEEDED") {
      notification.status = ProviderStatus::kSucceeded;
    } else if (request->status() == "DECLINED") {
      notification.status = ProviderStatus::kDeclined;
    } else {
      return finish(InvalidArgument("status", "PAYMENT_STATUS_UNKNOWN", "status is SUCCEEDED or DECLINED"));
    }
    notification.amount = request->amount().amount_minor();
    notification.currency = request->amount().currency();
    notification.decline_reason = request->decline_reason();
    if (request->has_paid_time()) notification.paid_at = proto::FromTimestamp(request->paid_time());
    payments_.HandleNotification(notification, [response, finish = std::move(finish)](absl::Status applied) {
      response->set_accepted(applied.ok());
      finish(applied);
    });
  });
}

grpc::ServerUnaryReactor* OrderApi::CancelOrder(grpc::CallbackServerContext* context,
                                                const v1::CancelOrderRequest* request,
                                                v1::CancelOrderResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    absl::StatusOr<std::string> user_id = server::CallingUserId();
    if (!user_id.ok()) return finish(user_id.status());
    if (request->reason().size() > 200) {
      return finish(InvalidArgument("reason", "REASON_TOO_LONG", "reason must be at most 200 characters"));
    }
    orders_.CancelOrder(*user_id, request->order_id(), request->reason(),
                        AnswerWithOrder(response->mutable_order(), std::move(finish)));
  });
}

}  // namespace zhongtai::order
