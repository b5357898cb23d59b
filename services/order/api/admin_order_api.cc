#include "services/order/api/admin_order_api.h"

#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/order/api/order_api.h"

namespace zhongtai::order {
namespace {

using proto::SetMoney;
using proto::ToTimestamp;

absl::StatusOr<OrderStatus> StatusFromProto(v1::OrderStatus status) {
  switch (status) {
    case v1::ORDER_STATUS_PENDING_PAYMENT: return OrderStatus::kPendingPayment;
    case v1::ORDER_STATUS_PAID: return OrderStatus::kPaid;
    case v1::ORDER_STATUS_CANCELLED: return OrderStatus::kCancelled;
    case v1::ORDER_STATUS_AWAITING_SHIPMENT: return OrderStatus::kAwaitingShipment;
    case v1::ORDER_STATUS_SHIPPED: return OrderStatus::kShipped;
    case v1::ORDER_STATUS_DELIVERED: return OrderStatus::kDelivered;
    case v1::ORDER_STATUS_COMPLETED: return OrderStatus::kCompleted;
    case v1::ORDER_STATUS_CLOSED: return OrderStatus::kClosed;
    default: return InvalidArgument("status", "ORDER_STATUS_INVALID", "no order is shown in this state");
  }
}

v1::OrderStatus ShownStatus(OrderStatus status) {
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

template <typename Request>
absl::StatusOr<AdminOrderFilter> FilterFromProto(const Request& request) {
  AdminOrderFilter filter;
  if (request.status() != v1::ORDER_STATUS_UNSPECIFIED) {
    ASSIGN_OR_RETURN(OrderStatus shown, StatusFromProto(request.status()));
    ASSIGN_OR_RETURN(filter.statuses, StatusesShownAs(shown));
  }
  if (request.has_created_after()) {
    if (!proto::IsValidTimestamp(request.created_after())) {
      return InvalidArgument("createdAfter", "TIME_INVALID", "createdAfter is not a valid time");
    }
    filter.created_after = proto::FromTimestamp(request.created_after());
  }
  if (request.has_created_before()) {
    if (!proto::IsValidTimestamp(request.created_before())) {
      return InvalidArgument("createdBefore", "TIME_INVALID", "createdBefore is not a valid time");
    }
    filter.created_before = proto::FromTimestamp(request.created_before());
  }
  filter.channel = request.channel();
  filter.buyer_id = request.buyer_id();
  filter.warehouse_id = request.warehouse_id();
  return filter;
}

void SummaryToProto(const OrderSummary& order, v1::AdminOrderSummary* out) {
  const std::string& currency = order.currency;
  out->set_order_id(order.order_id);
  out->set_buyer_id(order.buyer_id);
  out->set_status(ShownStatus(order.status));
  out->set_channel(order.channel);
  *out->mutable_create_time() = ToTimestamp(order.created_at);
  SetMoney(out->mutable_subtotal(), currency, order.subtotal);
  SetMoney(out->mutable_discount(), currency, order.discount);
  SetMoney(out->mutable_shipping_fee(), currency, order.shipping_fee);
  SetMoney(out->mutable_points_deduction(), currency, order.points_deduction);
  SetMoney(out->mutable_total(), currency, order.total);
  for (const std::string& warehouse : order.warehouse_ids) out->add_warehouse_ids(warehouse);
  out->set_line_count(order.line_count);
  out->set_item_count(order.item_count);
  out->set_external_order_id(order.external_order_id);
}

// Amounts of an import are in one currency: the paid amount's (CNY when unset).
absl::StatusOr<ImportOrderCommand> ImportFromProto(const v1::ImportOrderRequest& request) {
  ImportOrderCommand command;
  command.channel = request.channel();
  command.external_order_id = request.external_order_id();
  command.buyer_id = request.buyer_id();
  if (!request.paid_amount().currency().empty()) command.currency = request.paid_amount().currency();
  auto same_currency = [&](const type::v1::Money& money, const std::string& field) -> absl::Status {
    if (!money.currency().empty() && money.currency() != command.currency) {
      return InvalidArgument(field, "CURRENCY_MISMATCH", "every amount of an import is in the paid amount's currency");
    }
    return absl::OkStatus();
  };
  for (int i = 0; i < request.lines_size(); ++i) {
    const v1::ImportedLine& line = request.lines(i);
    RETURN_IF_ERROR(same_currency(line.unit_price(), absl::StrCat("lines[", i, "].unitPrice")));
    command.lines.push_back({line.sku_id(), line.quantity(), line.unit_price().amount_minor()});
  }
  RETURN_IF_ERROR(same_currency(request.discount(), "discount"));
  RETURN_IF_ERROR(same_currency(request.shipping_fee(), "shippingFee"));
  command.discount = request.discount().amount_minor();
  command.shipping_fee = request.shipping_fee().amount_minor();
  command.paid_amount = request.paid_amount().amount_minor();
  if (request.has_paid_time()) {
    if (!proto::IsValidTimestamp(request.paid_time())) {
      return InvalidArgument("paidTime", "TIME_INVALID", "paidTime is not a valid time");
    }
    command.paid_at = proto::FromTimestamp(request.paid_time());
  }
  const v1::ShippingAddress& a = request.shipping_address();
  command.address = {a.address_id(), a.recipient_name(), a.recipient_phone(), a.province_code(),
                     a.city_code(),  a.district_code(),  a.detail()};
  return command;
}

}  // namespace

grpc::ServerUnaryReactor* AdminOrderApi::ListAdminOrders(grpc::CallbackServerContext* context,
                                                         const v1::ListAdminOrdersRequest* request,
                                                         v1::ListAdminOrdersResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(AdminOrderFilter filter, FilterFromProto(*request));
    ASSIGN_OR_RETURN(OrderSummaryPage page, admin_.List(filter, request->page_size(), request->page_token()));
    for (const OrderSummary& order : page.orders) SummaryToProto(order, response->add_orders());
    response->set_next_page_token(page.next_cursor);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminOrderApi::ExportOrdersCsv(grpc::CallbackServerContext* context,
                                                         const v1::ExportOrdersCsvRequest* request,
                                                         v1::ExportOrdersCsvResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(AdminOrderFilter filter, FilterFromProto(*request));
    ASSIGN_OR_RETURN(OrderExport exported, admin_.Export(filter));
    api::v1::HttpBody* file = response->mutable_file();
    file->set_content_type("text/csv; charset=utf-8");
    file->set_body(std::move(exported.csv));
    file->set_file_name(exported.truncated ? "orders-truncated.csv" : "orders.csv");
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminOrderApi::ImportOrder(grpc::CallbackServerContext* context,
                                                     const v1::ImportOrderRequest* request,
                                                     v1::ImportOrderResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    absl::StatusOr<ImportOrderCommand> command = ImportFromProto(*request);
    if (!command.ok()) return finish(command.status());
    imports_.Import(*command, [response, finish = std::move(finish)](absl::StatusOr<ImportResult> imported) {
      if (imported.ok()) {
        ToProto(imported->order, response->mutable_order());
        response->set_duplicate(imported->duplicate);
      }
      finish(imported.status());
    });
  });
}

}  // namespace zhongtai::order
