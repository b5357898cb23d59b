#include "services/order/api/cart_api.h"

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

using proto::SetMoney;
using proto::ToTimestamp;

void ItemToProto(const CartItem& item, v1::CartItem* out) {
  out->set_sku_id(item.sku_id);
  out->set_quantity(item.quantity);
  out->set_selected(item.selected);
  *out->mutable_add_time() = ToTimestamp(item.added_at);
  *out->mutable_update_time() = ToTimestamp(item.updated_at);
}

}  // namespace

void ToProto(const CartView& view, v1::GetCartResponse* out) {
  const std::string& currency = view.currency;
  for (const CartLineView& line : view.lines) {
    v1::CartLine* l = out->add_lines();
    ItemToProto(line.item, l->mutable_item());
    if (line.sku.has_value()) {
      SetMoney(l->mutable_unit_price(), line.sku->currency, line.sku->unit_price);
      SetMoney(l->mutable_list_price(), line.sku->currency, line.sku->list_price);
      l->set_price_rule(line.sku->price_rule);
      SetMoney(l->mutable_subtotal(), line.sku->currency, line.subtotal);
      SetMoney(l->mutable_discount(), line.sku->currency, line.discount);
      l->set_available(line.sku->available.value_or(0));
    }
    l->set_unavailable_reason(line.unavailable_reason);
    l->set_product_title(line.product_title);
    l->set_spec(line.spec);
  }
  SetMoney(out->mutable_selected_subtotal(), currency, view.selected_subtotal);
  SetMoney(out->mutable_discount(), currency, view.discount);
  SetMoney(out->mutable_selected_total(), currency, view.selected_subtotal - view.discount);
  out->set_selected_count(view.selected_count);
  out->set_member_tier(view.member_tier);
  for (const PromotionApplied& applied : view.applied) {
    v1::AppliedPromotion* a = out->add_applied_promotions();
    a->set_promotion_id(applied.promotion_id);
    a->set_name(applied.name);
    SetMoney(a->mutable_discount(), currency, applied.discount);
  }
  for (const PromotionNotApplied& missed : view.not_applied) {
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
  out->set_promotions_unavailable(view.promotions_unavailable);
}

grpc::ServerUnaryReactor* CartApi::GetCart(grpc::CallbackServerContext* context, const v1::GetCartRequest* request,
                                           v1::GetCartResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    absl::StatusOr<std::string> user_id = server::CallingUserId();
    if (!user_id.ok()) return finish(user_id.status());
    carts_.View(*user_id, request->channel(), [response, finish = std::move(finish)](absl::StatusOr<CartView> view) {
      if (view.ok()) ToProto(*view, response);
      finish(view.status());
    });
  });
}

grpc::ServerUnaryReactor* CartApi::AddCartItem(grpc::CallbackServerContext* context,
                                               const v1::AddCartItemRequest* request,
                                               v1::AddCartItemResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(auto added, carts_.Add(user_id, request->sku_id(), request->quantity(), request->request_id()));
    ItemToProto(added.first, response->mutable_item());
    response->set_line_count(added.second);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CartApi::UpdateCartItem(grpc::CallbackServerContext* context,
                                                  const v1::UpdateCartItemRequest* request,
                                                  v1::UpdateCartItemResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    std::optional<int64_t> quantity;
    std::optional<bool> selected;
    if (request->has_quantity()) quantity = request->quantity();
    if (request->has_selected()) selected = request->selected();
    if (!quantity.has_value() && !selected.has_value()) {
      return InvalidArgument("quantity", "CART_CHANGE_EMPTY", "send quantity, selected or both");
    }
    ASSIGN_OR_RETURN(CartItem item, carts_.Change(user_id, request->sku_id(), quantity, selected));
    ItemToProto(item, response->mutable_item());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CartApi::RemoveCartItem(grpc::CallbackServerContext* context,
                                                  const v1::RemoveCartItemRequest* request,
                                                  v1::RemoveCartItemResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(bool removed, carts_.Remove(user_id, request->sku_id()));
    response->set_removed(removed);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::order
