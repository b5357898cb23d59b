#include "services/order/api/fulfilment_api.h"

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/order/api/order_api.h"

namespace zhongtai::order {
namespace {

using proto::ToTimestamp;

void RulesToProto(const CarrierRuleSet& set, google::protobuf::RepeatedPtrField<v1::CarrierRule>* rules,
                  google::protobuf::RepeatedPtrField<v1::TransitTime>* transit) {
  for (const CarrierRule& rule : set.rules) {
    v1::CarrierRule* r = rules->Add();
    r->set_rule_id(rule.rule_id);
    r->set_priority(rule.priority);
    r->set_carrier(rule.carrier);
    r->set_min_order_value(rule.min_order_value);
    r->set_min_weight_grams(rule.min_weight_grams);
    for (const std::string& region : rule.regions) r->add_regions(region);
    for (const std::string& warehouse : rule.warehouses) r->add_warehouses(warehouse);
    r->set_fragile_only(rule.fragile_only);
    if (rule.fee.has_value()) r->set_fee(*rule.fee);
  }
  for (const TransitTime& t : set.transit_times) {
    v1::TransitTime* out = transit->Add();
    out->set_carrier(t.carrier);
    out->set_warehouse_id(t.warehouse_id);
    out->set_region(t.region);
    out->set_min_days(t.min_days);
    out->set_max_days(t.max_days);
  }
}

CarrierRuleSet RulesFromProto(const v1::ReplaceCarrierRulesRequest& request) {
  CarrierRuleSet set;
  for (const v1::CarrierRule& r : request.rules()) {
    CarrierRule rule;
    rule.rule_id = r.rule_id();
    rule.priority = r.priority();
    rule.carrier = r.carrier();
    rule.min_order_value = r.min_order_value();
    rule.min_weight_grams = r.min_weight_grams();
    rule.regions.assign(r.regions().begin(), r.regions().end());
    rule.warehouses.assign(r.warehouses().begin(), r.warehouses().end());
    rule.fragile_only = r.fragile_only();
    if (r.has_fee()) rule.fee = r.fee();
    set.rules.push_back(std::move(rule));
  }
  for (const v1::TransitTime& t : request.transit_times()) {
    set.transit_times.push_back({t.carrier(), t.warehouse_id().empty() ? "*" : t.warehouse_id(),
                                 t.region().empty() ? "*" : t.region(), t.min_days(), t.max_days()});
  }
  return set;
}

void ShipmentToProto(const Shipment& shipment, v1::Shipment* out) {
  out->set_shipment_id(shipment.shipment_id);
  out->set_warehouse_id(shipment.warehouse_id);
  for (const std::string& id : shipment.order_ids) out->add_order_ids(id);
  out->set_carrier(shipment.carrier);
  out->set_tracking_number(shipment.tracking_number);
  out->set_status(shipment.status == ShipmentStatus::kDelivered ? v1::SHIPMENT_STATUS_DELIVERED
                                                                : v1::SHIPMENT_STATUS_SHIPPED);
  *out->mutable_ship_time() = ToTimestamp(shipment.shipped_at);
  if (shipment.delivered_at != absl::InfinitePast()) *out->mutable_delivery_time() = ToTimestamp(shipment.delivered_at);
  v1::DeliveryPromise* promise = out->mutable_delivery_promise();
  promise->set_carrier(shipment.carrier);
  promise->set_carrier_rule_id(shipment.rule_id);
  if (shipment.promise.has_value()) {
    promise->set_earliest_date(absl::FormatCivilTime(shipment.promise->earliest));
    promise->set_latest_date(absl::FormatCivilTime(shipment.promise->latest));
  }
  for (const TrackingEvent& event : shipment.events) {
    v1::TrackingEvent* e = out->add_events();
    e->set_event_id(event.event_id);
    e->set_status(event.status);
    e->set_description(event.description);
    *e->mutable_event_time() = ToTimestamp(event.at);
  }
  for (const ShipmentLine& line : shipment.lines) {
    v1::ShipmentLine* l = out->add_lines();
    l->set_order_id(line.order_id);
    l->set_sku_id(line.sku_id);
    l->set_quantity(line.quantity);
  }
}

}  // namespace

void ToProto(const DeliveryPromise& promise, const std::string& carrier, const std::string& rule_id,
             v1::DeliveryPromise* out) {
  out->set_carrier(carrier);
  out->set_carrier_rule_id(rule_id);
  out->set_earliest_date(absl::FormatCivilTime(promise.earliest));
  out->set_latest_date(absl::FormatCivilTime(promise.latest));
}

grpc::ServerUnaryReactor* FulfilmentApi::GetCarrierRules(grpc::CallbackServerContext* context,
                                                         const v1::GetCarrierRulesRequest*,
                                                         v1::GetCarrierRulesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(CarrierRuleSet rules, fulfilment_.CarrierRules());
    RulesToProto(rules, response->mutable_rules(), response->mutable_transit_times());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FulfilmentApi::ReplaceCarrierRules(grpc::CallbackServerContext* context,
                                                             const v1::ReplaceCarrierRulesRequest* request,
                                                             v1::ReplaceCarrierRulesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(fulfilment_.ReplaceCarrierRules(RulesFromProto(*request)));
    ASSIGN_OR_RETURN(CarrierRuleSet rules, fulfilment_.CarrierRules());
    RulesToProto(rules, response->mutable_rules(), response->mutable_transit_times());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FulfilmentApi::ShipOrder(grpc::CallbackServerContext* context,
                                                   const v1::ShipOrderRequest* request,
                                                   v1::ShipOrderResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    ShipCommand command;
    command.order_id = request->order_id();
    command.warehouse_id = request->warehouse_id();
    command.carrier = request->carrier();
    command.tracking_number = request->tracking_number();
    command.source = "admin";
    command.return_id = request->return_id();
    fulfilment_.Ship(command, [response, finish = std::move(finish)](absl::StatusOr<Shipment> shipment) {
      if (shipment.ok()) ShipmentToProto(*shipment, response->mutable_shipment());
      finish(shipment.status());
    });
  });
}

grpc::ServerUnaryReactor* FulfilmentApi::NotifyWarehouseShipment(grpc::CallbackServerContext* context,
                                                                 const v1::NotifyWarehouseShipmentRequest* request,
                                                                 v1::NotifyWarehouseShipmentResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    ShipCommand command;
    command.order_id = request->order_id();
    command.warehouse_id = request->warehouse_id();
    command.carrier = request->carrier();
    command.tracking_number = request->tracking_number();
    command.source = "wms";
    command.return_id = request->return_id();
    if (request->has_ship_time()) command.shipped_at = proto::FromTimestamp(request->ship_time());
    fulfilment_.Ship(command, [response, finish = std::move(finish)](absl::StatusOr<Shipment> shipment) {
      response->set_accepted(shipment.ok());
      if (shipment.ok()) response->set_shipment_id(shipment->shipment_id);
      finish(shipment.status());
    });
  });
}

grpc::ServerUnaryReactor* FulfilmentApi::NotifyTracking(grpc::CallbackServerContext* context,
                                                        const v1::NotifyTrackingRequest* request,
                                                        v1::NotifyTrackingResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    TrackingCommand command;
    command.carrier = request->carrier();
    command.tracking_number = request->tracking_number();
    command.event.event_id = request->event().event_id();
    command.event.status = request->event().status();
    command.event.description = request->event().description();
    command.event.at =
        request->event().has_event_time() ? proto::FromTimestamp(request->event().event_time()) : absl::InfinitePast();
    ASSIGN_OR_RETURN(TrackingOutcome outcome, fulfilment_.Track(command));
    response->set_accepted(true);
    response->set_recorded(outcome == TrackingOutcome::kRecorded);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FulfilmentApi::ListOrderShipments(grpc::CallbackServerContext* context,
                                                            const v1::ListOrderShipmentsRequest* request,
                                                            v1::ListOrderShipmentsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(std::vector<Shipment> shipments, fulfilment_.ListShipments(user_id, request->order_id()));
    for (const Shipment& shipment : shipments) ShipmentToProto(shipment, response->add_shipments());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FulfilmentApi::ConfirmReceipt(grpc::CallbackServerContext* context,
                                                        const v1::ConfirmReceiptRequest* request,
                                                        v1::ConfirmReceiptResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(Order order, fulfilment_.ConfirmReceipt(user_id, request->order_id()));
    ToProto(order, response->mutable_order());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::order
