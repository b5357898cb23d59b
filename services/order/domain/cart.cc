#include "services/order/domain/cart.h"

#include <algorithm>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

// The product service answers at most this many SKUs a call.
constexpr size_t kSkuBatch = 100;
constexpr size_t kMaxSkuIdLength = 64;

absl::Status ValidateQuantity(int64_t quantity, const CartRules& rules) {
  if (quantity <= 0) return InvalidArgument("quantity", "QUANTITY_NOT_POSITIVE", "quantity must be at least 1");
  if (quantity > rules.max_quantity) {
    return InvalidArgument("quantity", "QUANTITY_TOO_LARGE",
                           absl::StrCat("a cart line holds at most ", rules.max_quantity, " units"));
  }
  return absl::OkStatus();
}

CartItem* FindMutable(Cart& cart, const std::string& sku_id) {
  for (CartItem& item : cart.items) {
    if (item.sku_id == sku_id) return &item;
  }
  return nullptr;
}

// The index in "skuIds[12]", the field product names for the first SKU it does not know.
std::optional<size_t> SkuIndexOf(const std::string& field) {
  absl::string_view rest(field);
  if (!absl::ConsumePrefix(&rest, "skuIds[") || !absl::ConsumeSuffix(&rest, "]")) return std::nullopt;
  size_t index = 0;
  if (!absl::SimpleAtoi(rest, &index)) return std::nullopt;
  return index;
}

}  // namespace

absl::Status ValidateSkuId(const std::string& sku_id, const std::string& field) {
  if (sku_id.empty()) return InvalidArgument(field, "SKU_ID_MISSING", "sku id is required");
  if (sku_id.size() > kMaxSkuIdLength) return InvalidArgument(field, "SKU_ID_INVALID", "sku id is too long");
  return absl::OkStatus();
}

absl::Status AddToCart(Cart& cart, const std::string& sku_id, int64_t quantity, absl::Time now, const CartRules& rules,
                       const std::string& request_id) {
  RETURN_IF_ERROR(ValidateSkuId(sku_id, "skuId"));
  RETURN_IF_ERROR(ValidateQuantity(quantity, rules));
  if (request_id.size() > 128) return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "request id is too long");
  if (CartItem* item = FindMutable(cart, sku_id)) {
    if (!request_id.empty() && item->last_add_request_id == request_id) return absl::OkStatus();
    if (item->quantity + quantity > rules.max_quantity) {
      return InvalidArgument("quantity", "QUANTITY_TOO_LARGE",
                             absl::StrCat("the cart already holds ", item->quantity,
                                          " of this SKU; a line holds at most ", rules.max_quantity, " units"));
    }
    item->quantity += quantity;
    item->selected = true;
    item->updated_at = now;
    item->last_add_request_id = request_id;
    return absl::OkStatus();
  }
  if (static_cast<int>(cart.items.size()) >= rules.max_lines) {
    return Error(absl::StatusCode::kFailedPrecondition, "CART_FULL",
                 absl::StrCat("the cart holds at most ", rules.max_lines, " lines; remove some first"), "skuId");
  }
  cart.items.insert(cart.items.begin(), CartItem{sku_id, quantity, true, now, now, request_id});
  return absl::OkStatus();
}

absl::Status ChangeCartItem(Cart& cart, const std::string& sku_id, std::optional<int64_t> quantity,
                            std::optional<bool> selected, absl::Time now, const CartRules& rules) {
  RETURN_IF_ERROR(ValidateSkuId(sku_id, "skuId"));
  if (quantity.has_value()) RETURN_IF_ERROR(ValidateQuantity(*quantity, rules));
  CartItem* item = FindMutable(cart, sku_id);
  if (item == nullptr) {
    return Error(absl::StatusCode::kNotFound, "CART_ITEM_NOT_FOUND", "this SKU is not in the cart", "skuId");
  }
  if (quantity.has_value()) item->quantity = *quantity;
  if (selected.has_value()) item->selected = *selected;
  item->updated_at = now;
  return absl::OkStatus();
}

bool RemoveFromCart(Cart& cart, const std::string& sku_id) {
  auto it =
      std::find_if(cart.items.begin(), cart.items.end(), [&](const CartItem& item) { return item.sku_id == sku_id; });
  if (it == cart.items.end()) return false;
  cart.items.erase(it);
  return true;
}

void TakeOrdered(Cart& cart, const std::vector<LineRequest>& ordered) {
  for (const LineRequest& line : ordered) {
    CartItem* item = FindMutable(cart, line.sku_id);
    if (item == nullptr) continue;
    item->quantity -= line.quantity;
    if (item->quantity <= 0) RemoveFromCart(cart, line.sku_id);
  }
}

const CartItem* FindItem(const Cart& cart, const std::string& sku_id) {
  for (const CartItem& item : cart.items) {
    if (item.sku_id == sku_id) return &item;
  }
  return nullptr;
}

absl::StatusOr<std::vector<LineRequest>> SelectedLines(const Cart& cart, const std::string& field) {
  std::vector<LineRequest> lines;
  for (const CartItem& item : cart.items) {
    if (item.selected) lines.push_back({item.sku_id, item.quantity});
  }
  if (lines.empty()) {
    return Error(absl::StatusCode::kFailedPrecondition, "CART_NOTHING_SELECTED",
                 "no line of the cart is selected for checkout", field);
  }
  return lines;
}

std::string UnavailableReason(const CartItem& item, const SkuInfo* sku) {
  if (sku == nullptr) return "SKU_NOT_FOUND";
  if (!sku->on_shelf) return "SKU_OFF_SHELF";
  if (sku->available.has_value()) {
    if (*sku->available <= 0) return "OUT_OF_STOCK";
    if (*sku->available < item.quantity) return "INSUFFICIENT_STOCK";
  }
  return "";
}

Carts::Carts(CartStore& store, ProductCatalog& catalog, PriceQuoter& quoter, UserDirectory& users, Orders& orders,
             Clock& clock, Executor& blocking, CartRules rules)
    : store_(store),
      catalog_(catalog),
      quoter_(quoter),
      users_(users),
      orders_(orders),
      clock_(clock),
      blocking_(blocking),
      rules_(rules) {}

absl::StatusOr<std::pair<CartItem, int>> Carts::Add(const std::string& user_id, const std::string& sku_id,
                                                    int64_t quantity, const std::string& request_id) {
  std::pair<CartItem, int> result;
  RETURN_IF_ERROR(store_.Modify(user_id, [&](Cart& cart) -> absl::Status {
    RETURN_IF_ERROR(AddToCart(cart, sku_id, quantity, clock_.Now(), rules_, request_id));
    result = {*FindItem(cart, sku_id), static_cast<int>(cart.items.size())};
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<CartItem> Carts::Change(const std::string& user_id, const std::string& sku_id,
                                       std::optional<int64_t> quantity, std::optional<bool> selected) {
  CartItem changed;
  RETURN_IF_ERROR(store_.Modify(user_id, [&](Cart& cart) -> absl::Status {
    RETURN_IF_ERROR(ChangeCartItem(cart, sku_id, quantity, selected, clock_.Now(), rules_));
    changed = *FindItem(cart, sku_id);
    return absl::OkStatus();
  }));
  return changed;
}

absl::StatusOr<bool> Carts::Remove(const std::string& user_id, const std::string& sku_id) {
  RETURN_IF_ERROR(ValidateSkuId(sku_id, "skuId"));
  bool removed = false;
  RETURN_IF_ERROR(store_.Modify(user_id, [&](Cart& cart) -> absl::Status {
    removed = RemoveFromCart(cart, sku_id);
    return absl::OkStatus();
  }));
  return removed;
}

// What the view has learned so far, shared by its asynchronous steps.
struct Carts::ViewState {
  Cart cart;
  std::string channel;
  bool new_customer = false;
  Member member;
  std::vector<std::string> pending;  // SKUs still to ask product about
  std::map<std::string, SkuInfo> skus;
  CartView view;
};

void Carts::View(const std::string& user_id, const std::string& channel, Callback<CartView> done) {
  absl::StatusOr<Cart> cart = store_.Load(user_id);
  if (!cart.ok()) return done(cart.status());
  auto state = std::make_shared<ViewState>();
  state->cart = *std::move(cart);
  if (!state->cart.items.empty()) {
    absl::StatusOr<bool> new_customer = orders_.IsNewCustomer(user_id);
    if (!new_customer.ok()) return done(new_customer.status());
    state->new_customer = *new_customer;
  }
  state->channel = channel.empty() ? "web" : channel;
  if (state->cart.items.empty()) return done(CartView{});
  for (const CartItem& item : state->cart.items) state->pending.push_back(item.sku_id);

  users_.GetMember(user_id, [this, state, done = std::move(done)](absl::StatusOr<Member> member) mutable {
    if (!member.ok()) return done(member.status());
    state->member = *std::move(member);
    FetchSkus(state, 0, [this, state, done = std::move(done)](absl::Status fetched) {
      if (!fetched.ok()) return done(fetched);
      CartView& view = state->view;
      view.member_tier = state->member.tier;
      QuoteRequest request;
      std::vector<size_t> quoted;  // view line of each quote line
      for (const CartItem& item : state->cart.items) {
        CartLineView line;
        line.item = item;
        auto sku = state->skus.find(item.sku_id);
        if (sku != state->skus.end()) {
          line.sku = sku->second;
          line.product_title = sku->second.product_title;
          line.spec = sku->second.spec;
          line.subtotal = sku->second.unit_price * item.quantity;
          if (!sku->second.currency.empty()) view.currency = sku->second.currency;
        }
        line.unavailable_reason = UnavailableReason(item, line.sku ? &*line.sku : nullptr);
        if (item.selected && line.unavailable_reason.empty()) {
          quoted.push_back(view.lines.size());
          request.lines.push_back({item.sku_id, item.quantity, line.sku->unit_price, line.sku->currency,
                                   line.sku->brand_id, line.sku->category_path,
                                   line.sku->price_rule.rfind("member:", 0) == 0});
          view.selected_subtotal += line.subtotal;
          ++view.selected_count;
        }
        view.lines.push_back(std::move(line));
      }
      if (request.lines.empty()) return done(std::move(view));
      request.member_tier = state->member.tier;
      request.user_tags = state->member.tags;
      request.channel = state->channel;
      request.new_customer = state->new_customer;
      quoter_.QuotePrice(request, [state, quoted, done](absl::StatusOr<order::Quote> quote) {
        CartView& view = state->view;
        // The cart stays usable without marketing: prices and availability are still right.
        if (!quote.ok() || quote->lines.size() != quoted.size()) {
          log::Warn("the cart is shown without promotions: the quote failed",
                    {{"error", quote.ok() ? std::string("line count mismatch") : quote.status().ToString()}});
          view.promotions_unavailable = true;
          return done(std::move(view));
        }
        for (size_t i = 0; i < quoted.size(); ++i) {
          CartLineView& line = view.lines[quoted[i]];
          const OrderLine& priced = quote->lines[i];
          // Marketing set the line's price (an experiment's arm price, named by its rule): show what checkout charges.
          if (!priced.price_rule.empty() && line.sku.has_value()) {
            view.selected_subtotal += priced.subtotal - line.subtotal;
            line.subtotal = priced.subtotal;
            line.sku->unit_price = priced.unit_price;
            line.sku->price_rule = priced.price_rule;
          }
          line.discount = priced.discount;
        }
        view.discount = quote->discount;
        view.applied = quote->applied;
        view.not_applied = quote->not_applied;
        done(std::move(view));
      });
    });
  });
}

void Carts::FetchSkus(std::shared_ptr<ViewState> state, size_t from, StatusCallback done) {
  if (from >= state->pending.size()) return done(absl::OkStatus());
  size_t to = std::min(state->pending.size(), from + kSkuBatch);
  std::vector<std::string> batch(state->pending.begin() + from, state->pending.begin() + to);
  catalog_.GetSkus(
      batch, state->member.tier,
      [this, state, from, to, batch, done = std::move(done)](absl::StatusOr<std::vector<SkuInfo>> skus) {
        if (!skus.ok()) {
          // Product refuses a batch naming a SKU it no longer knows: that line is marked, the rest
          // asked again.
          std::optional<size_t> unknown = SkuIndexOf(FieldOf(skus.status()));
          if (skus.status().code() != absl::StatusCode::kNotFound || !unknown.has_value() || *unknown >= batch.size()) {
            return done(skus.status());
          }
          state->pending.erase(state->pending.begin() + from + *unknown);
          return FetchSkus(state, from, done);
        }
        for (SkuInfo& sku : *skus) state->skus[sku.sku_id] = std::move(sku);
        FetchSkus(state, to, done);
      });
}

void Carts::PlaceOrder(PlaceOrderCommand command, Callback<Order> done) {
  if (!command.lines.empty()) {
    return done(InvalidArgument("lines", "CART_AND_LINES", "send either lines or fromCart, not both"));
  }
  if (command.request_id.empty()) {
    return done(InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required"));
  }
  absl::StatusOr<std::vector<LineRequest>> lines =
      store_.RecordCheckout(command.user_id, command.request_id, clock_.Now(),
                            [](const Cart& cart) { return SelectedLines(cart, "fromCart"); });
  if (!lines.ok()) return done(lines.status());
  command.lines = *std::move(lines);
  const std::string user_id = command.user_id;
  const std::string request_id = command.request_id;
  orders_.PlaceOrder(command, [this, user_id, request_id, done = std::move(done)](absl::StatusOr<Order> order) {
    if (!order.ok()) return done(order.status());
    blocking_.Run([this, user_id, request_id, order = *std::move(order), done] {
      absl::StatusOr<bool> taken = store_.FinishCheckout(user_id, request_id, order.order_id, clock_.Now());
      // The order stands either way; a repeat of the request takes the lines out then.
      if (!taken.ok()) {
        log::Warn("an order placed from the cart could not take its lines out of the cart",
                  {{"order_id", order.order_id}, {"error", taken.status().ToString()}});
      }
      done(order);
    });
  });
}

void Carts::Quote(CheckoutCommand command, Callback<CheckoutQuote> done) {
  if (!command.lines.empty()) {
    return done(InvalidArgument("lines", "CART_AND_LINES", "send either lines or fromCart, not both"));
  }
  absl::StatusOr<Cart> cart = store_.Load(command.user_id);
  if (!cart.ok()) return done(cart.status());
  absl::StatusOr<std::vector<LineRequest>> lines = SelectedLines(*cart, "fromCart");
  if (!lines.ok()) return done(lines.status());
  command.lines = *std::move(lines);
  orders_.QuoteCheckout(command, std::move(done));
}

}  // namespace zhongtai::order
