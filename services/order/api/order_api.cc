#include "services/order/api/order_api.h"

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/order/api/fulfilment_api.h"

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
    case OrderStatus::kAwaitingShipment: return v1::ORDER_STATUS_AWAITING_SHIPMENT;
    case OrderStatus::kShipped: return v1::ORDER_STATUS_SHIPPED;
    case OrderStatus::kDelivered: return v1::ORDER_STATUS_DELIVERED;
    case OrderStatus::kCompleted: return v1::ORDER_STATUS_COMPLETED;
    case OrderStatus::kClosed: return v1::ORDER_STATUS_CLOSED;
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

void LineToProto(const OrderLine& line, const std::string& currency, v1::OrderLine* l) {
  l->set_sku_id(line.sku_id);
  l->set_quantity(line.quantity);
  SetMoney(l->mutable_unit_price(), currency, line.unit_price);
  SetMoney(l->mutable_subtotal(), currency, line.subtotal);
  SetMoney(l->mutable_discount(), currency, line.discount);
  SetMoney(l->mutable_total(), currency, line.total);
  SetMoney(l->mutable_list_price(), currency, line.list_price);
  l->set_price_rule(line.price_rule);
  SetMoney(l->mutable_points_deduction(), currency, line.points_deduction);
  l->set_gift(line.IsGift());
  l->set_gift_promotion_id(line.gift_promotion_id);
}

template <typename Request>
CheckoutCommand CheckoutFromProto(const Request& request) {
  CheckoutCommand command;
  for (const auto& line : request.lines()) command.lines.push_back({line.sku_id(), line.quantity()});
  command.channel = request.channel();
  command.address_id = request.address_id();
  command.coupon_id = request.coupon_id();
  command.points_to_use = request.points_to_use();
  return command;
}

void QuoteToProto(const CheckoutQuote& quote, v1::QuoteCheckoutResponse* out) {
  const std::string& currency = quote.currency;
  const CheckoutPrice& price = quote.price;
  for (size_t i = 0; i < price.lines.size(); ++i) {
    v1::QuotedCheckoutLine* line = out->add_lines();
    LineToProto(price.lines[i], currency, line->mutable_line());
    if (i >= quote.line_shares.size()) continue;
    for (const LineShare& share : quote.line_shares[i]) {
      v1::QuotedShare* s = line->add_shares();
      s->set_promotion_id(share.promotion_id);
      SetMoney(s->mutable_amount(), currency, share.amount);
    }
  }
  SetMoney(out->mutable_subtotal(), currency, price.subtotal);
  SetMoney(out->mutable_discount(), currency, price.discount);
  SetMoney(out->mutable_shipping_fee(), currency, price.shipping_fee);
  out->set_points_used(price.points_used);
  SetMoney(out->mutable_points_deduction(), currency, price.points_deduction);
  SetMoney(out->mutable_total(), currency, price.total);
  out->set_max_points(price.max_points);
  out->set_member_tier(quote.member_tier);
  if (quote.free_shipping_threshold.has_value()) {
    SetMoney(out->mutable_free_shipping_threshold(), currency, *quote.free_shipping_threshold);
  }
  for (const PromotionApplied& applied : quote.applied) {
    v1::AppliedPromotion* a = out->add_applied_promotions();
    a->set_promotion_id(applied.promotion_id);
    a->set_name(applied.name);
    SetMoney(a->mutable_discount(), currency, applied.discount);
  }
  for (const PromotionNotApplied& missed : quote.not_applied) {
    v1::NotAppliedPromotion* n = out->add_not_applied();
    n->set_promotion_id(missed.promotion_id);
    n->set_name(missed.name);
    n->set_reason(missed.reason);
    if (missed.amount_missing > 0) SetMoney(n->mutable_amount_missing(), currency, missed.amount_missing);
    n->set_quantity_missing(missed.quantity_missing);
    n->set_coupon_reason(missed.coupon_reason);
    n->set_by_promotion_id(missed.by_promotion_id);
    for (const std::string& sku : missed.missing_sku_ids) n->add_missing_sku_ids(sku);
  }
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
  for (const OrderLine& line : order.lines) LineToProto(line, order.currency, out->add_lines());
  out->set_gift_note(order.gift_note);
  SetMoney(out->mutable_shipping_fee(), order.currency, order.shipping_fee);
  out->set_points_used(order.points_used);
  SetMoney(out->mutable_points_deduction(), order.currency, order.points_deduction);
  out->set_coupon_id(order.coupon_id);
  const ShippingAddress& address = order.address;
  v1::ShippingAddress* a = out->mutable_shipping_address();
  a->set_address_id(address.address_id);
  a->set_recipient_name(address.recipient_name);
  a->set_recipient_phone(address.recipient_phone);
  a->set_province_code(address.province_code);
  a->set_city_code(address.city_code);
  a->set_district_code(address.district_code);
  a->set_detail(address.detail);
  out->set_warehouse_id(order.warehouse_id);
  for (const ChildOrder& child : order.children) {
    v1::ChildOrder* c = out->add_child_orders();
    c->set_child_order_id(child.child_order_id);
    c->set_warehouse_id(child.warehouse_id);
    for (const OrderLine& line : child.lines) LineToProto(line, order.currency, c->add_lines());
    SetMoney(c->mutable_subtotal(), order.currency, child.subtotal);
    SetMoney(c->mutable_discount(), order.currency, child.discount);
    SetMoney(c->mutable_shipping_fee(), order.currency, child.shipping_fee);
    SetMoney(c->mutable_points_deduction(), order.currency, child.points_deduction);
    SetMoney(c->mutable_total(), order.currency, child.total);
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
    absl::StatusOr<std::string> user_id = server::CallingUserId();
    if (!user_id.ok()) return finish(user_id.status());
    PlaceOrderCommand command;
    static_cast<CheckoutCommand&>(command) = CheckoutFromProto(*request);
    command.user_id = *std::move(user_id);
    command.request_id = request->request_id();
    if (request->from_cart()) {
      if (carts_ == nullptr) return finish(Internal("CART_UNAVAILABLE", "this server has no cart"));
      return carts_->PlaceOrder(command, AnswerWithOrder(response->mutable_order(), std::move(finish)));
    }
    orders_.PlaceOrder(command, AnswerWithOrder(response->mutable_order(), std::move(finish)));
  });
}

grpc::ServerUnaryReactor* OrderApi::QuoteCheckout(grpc::CallbackServerContext* context,
                                                  const v1::QuoteCheckoutRequest* request,
                                                  v1::QuoteCheckoutResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    absl::StatusOr<std::string> user_id = server::CallingUserId();
    if (!user_id.ok()) return finish(user_id.status());
    CheckoutCommand command = CheckoutFromProto(*request);
    command.user_id = *std::move(user_id);
    auto answer = [this, response, finish](absl::StatusOr<CheckoutQuote> quote) {
      if (quote.ok()) QuoteToProto(*quote, response);
      if (quote.ok() && fulfilment_ != nullptr) {
        if (std::optional<QuotedDelivery> delivery = fulfilment_->QuoteDelivery(quote->parcel)) {
          ToProto(delivery->promise, delivery->carrier, delivery->rule_id, response->mutable_delivery_promise());
        }
      }
      finish(quote.status());
    };
    if (request->from_cart()) {
      if (carts_ == nullptr) return finish(Internal("CART_UNAVAILABLE", "this server has no cart"));
      return carts_->Quote(command, std::move(answer));
    }
    orders_.QuoteCheckout(command, std::move(answer));
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
