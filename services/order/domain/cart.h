// The buyer's cart: one line per SKU, kept in the order service's database, and checkout from it.
//
// Rules (CartRules): at most max_lines lines (CART_FULL past that), a line's quantity from 1 to max_quantity, adding a
// SKU already in the cart adds to its line. The view prices every line now (product, at the buyer's tier) and marks
// the lines that cannot be bought (unavailable_reason) without dropping them; marketing quotes the selected, available
// lines. Placing an order from the cart records which lines the request id ordered before placing (so a repeat of
// the request orders the same lines, whatever the cart holds by then) and takes them out of the cart once the order
// is placed, once per request id.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/order/domain/order.h"
#include "services/order/domain/orders.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

struct CartItem {
  std::string sku_id;
  int64_t quantity = 0;
  bool selected = true;
  absl::Time added_at;
  absl::Time updated_at;
  // The request id of the last add to this line: a repeat of that request adds nothing.
  std::string last_add_request_id;
};

struct Cart {
  std::string user_id;
  std::vector<CartItem> items;  // newest added first
};

struct CartRules {
  int max_lines = 200;
  int64_t max_quantity = 9999;
};

// Adds `quantity` of the SKU, selected: to its line when there is one, else as a new line first in the cart. A
// non-empty request id that was the line's last add changes nothing (a retried request).
absl::Status AddToCart(Cart& cart, const std::string& sku_id, int64_t quantity, absl::Time now, const CartRules& rules,
                       const std::string& request_id = "");
// Sets the line's quantity and/or selection; NOT_FOUND CART_ITEM_NOT_FOUND when the SKU is not in the cart.
absl::Status ChangeCartItem(Cart& cart, const std::string& sku_id, std::optional<int64_t> quantity,
                            std::optional<bool> selected, absl::Time now, const CartRules& rules);
// False when the SKU was not in the cart.
bool RemoveFromCart(Cart& cart, const std::string& sku_id);
// Takes what an order bought out of the cart: each line goes down by the quantity ordered and leaves at zero. A line
// the buyer raised meanwhile keeps the difference; SKUs not in the cart are ignored.
void TakeOrdered(Cart& cart, const std::vector<LineRequest>& ordered);
const CartItem* FindItem(const Cart& cart, const std::string& sku_id);
// The selected lines, for checkout; FAILED_PRECONDITION CART_NOTHING_SELECTED (field `field`) when there are none.
absl::StatusOr<std::vector<LineRequest>> SelectedLines(const Cart& cart, const std::string& field);

// Why a line cannot be bought now, or "" when it can: SKU_NOT_FOUND (no such SKU any more), SKU_OFF_SHELF,
// OUT_OF_STOCK, INSUFFICIENT_STOCK (fewer available than the line's quantity). `sku` is null when product did not
// return the SKU.
std::string UnavailableReason(const CartItem& item, const SkuInfo* sku);

// The cart in the order service's database. Changes to one user's cart are serialized (Modify, RecordCheckout,
// FinishCheckout), so the line limit holds under concurrent requests. Blocking.
class CartStore {
 public:
  virtual ~CartStore() = default;
  virtual absl::StatusOr<Cart> Load(const std::string& user_id) = 0;
  // Runs `change` on the user's cart (empty when they have none), with the cart locked, and saves the result when
  // `change` returns OK; its error is returned as it is.
  virtual absl::Status Modify(const std::string& user_id, const std::function<absl::Status(Cart&)>& change) = 0;
  // The lines the placement with this request id orders from the cart. The first call records pick(cart); a later
  // call with the same request id returns what was recorded. An error from `pick` records nothing.
  virtual absl::StatusOr<std::vector<LineRequest>> RecordCheckout(
      const std::string& user_id, const std::string& request_id, absl::Time now,
      const std::function<absl::StatusOr<std::vector<LineRequest>>(const Cart&)>& pick) = 0;
  // Takes the recorded lines out of the cart (TakeOrdered) and notes the order, once: false when it was done before
  // or nothing was recorded for the request id.
  virtual absl::StatusOr<bool> FinishCheckout(const std::string& user_id, const std::string& request_id,
                                              const std::string& order_id, absl::Time now) = 0;
};

// One line of the priced cart.
struct CartLineView {
  CartItem item;
  std::optional<SkuInfo> sku;  // unset when product did not return the SKU
  std::string product_title;
  std::string spec;
  int64_t subtotal = 0;  // unit price x quantity
  int64_t discount = 0;  // share of the promotions; only on selected, available lines
  std::string unavailable_reason;
};

struct CartView {
  std::vector<CartLineView> lines;
  std::string currency = "CNY";
  std::string member_tier;
  int64_t selected_subtotal = 0;
  int64_t discount = 0;
  int selected_count = 0;
  std::vector<PromotionApplied> applied;
  std::vector<PromotionNotApplied> not_applied;
  bool promotions_unavailable = false;
};

// The cart's use cases. Add, Change and Remove block (call them on a worker); View, PlaceOrder and Quote call other
// services asynchronously and, like Orders, must be started on a thread that may block.
class Carts {
 public:
  Carts(CartStore& store, ProductCatalog& catalog, PriceQuoter& quoter, UserDirectory& users, Orders& orders,
        Clock& clock, Executor& blocking, CartRules rules = {});

  // The line after the change and how many lines the cart has.
  absl::StatusOr<std::pair<CartItem, int>> Add(const std::string& user_id, const std::string& sku_id, int64_t quantity,
                                               const std::string& request_id = "");
  absl::StatusOr<CartItem> Change(const std::string& user_id, const std::string& sku_id,
                                  std::optional<int64_t> quantity, std::optional<bool> selected);
  absl::StatusOr<bool> Remove(const std::string& user_id, const std::string& sku_id);
  void View(const std::string& user_id, const std::string& channel, Callback<CartView> done);

  // Places an order for the cart's selected lines (command.lines must be empty), then takes them out of the cart.
  // FAILED_PRECONDITION CART_NOTHING_SELECTED when no line is selected. A selected line that cannot be bought fails
  // the placement as given lines would (INSUFFICIENT_STOCK, SKU_NOT_FOUND).
  void PlaceOrder(PlaceOrderCommand command, Callback<Order> done);
  // Quotes the cart's selected lines (command.lines must be empty).
  void Quote(CheckoutCommand command, Callback<CheckoutQuote> done);

 private:
  struct ViewState;
  // The SKUs' current prices, in batches the product service accepts; SKUs it no longer knows are left out.
  void FetchSkus(std::shared_ptr<ViewState> state, size_t from, StatusCallback done);

  CartStore& store_;
  ProductCatalog& catalog_;
  PriceQuoter& quoter_;
  UserDirectory& users_;
  Orders& orders_;
  Clock& clock_;
  Executor& blocking_;
  CartRules rules_;
};

// Validates a sku id from a request; `field` is the API's name for it.
absl::Status ValidateSkuId(const std::string& sku_id, const std::string& field);

}  // namespace zhongtai::order
