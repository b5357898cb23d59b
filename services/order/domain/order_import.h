// Orders a marketplace (tmall, jd, pinduoduo, douyin) sold, taken into the order center so that they are fulfilled,
// counted and exported like the shop's own.
//
// One order per (channel, external order id): the first import claims the pair for its order id in the database
// (OrderImportStore::Claim, a primary key), so concurrent and repeated imports of the same marketplace order all answer
// that one order. The marketplace has already been paid, so the order goes through the same states and events as a
// paid shop order, in one go: CREATING (BeginPlacement) -> stock reserved in the address's region (product, keyed by
// the order id) -> PENDING_PAYMENT (CompletePlacement, OrderPlaced) -> PAID with a payment record from the marketplace
// (OrderPaid) -> stock confirmed (product) -> AWAITING_SHIPMENT. Prices are the marketplace's, not the shop's: no
// quote, coupon or points. When reserving fails (INSUFFICIENT_STOCK, SKU_NOT_FOUND) the order is FAILED and holds
// nothing; importing the same marketplace order again retries it with a new order id. When a later step fails, a
// repeat of the import continues from the state the order reached (and the sweeper confirms the stock of a paid order
// on its own).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/order/domain/order.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

struct ImportedLine {
  std::string sku_id;
  int64_t quantity = 0;
  int64_t unit_price = 0;
};

struct ImportOrderCommand {
  std::string channel;
  std::string external_order_id;
  std::string buyer_id;  // the marketplace's id of the buyer
  std::string currency = "CNY";
  std::vector<ImportedLine> lines;
  int64_t discount = 0;
  int64_t shipping_fee = 0;
  int64_t paid_amount = 0;
  absl::Time paid_at = absl::InfinitePast();  // unset: now
  ShippingAddress address;
};

struct ImportResult {
  Order order;
  bool duplicate = false;  // an earlier import of the same marketplace order made it
};

// Which channels are marketplaces (importable); web, app and mini_program are the shop's own.
bool IsMarketplace(const std::string& channel);
// INVALID_ARGUMENT naming the field: CHANNEL_NOT_MARKETPLACE, EXTERNAL_ORDER_ID_MISSING/INVALID, BUYER_ID_MISSING,
// the line rules of a placement, SKU_REPEATED, IMPORT_AMOUNT_INVALID (negative or too large), DISCOUNT_TOO_LARGE,
// PAID_AMOUNT_MISMATCH, SHIPPING_ADDRESS_MISSING.
absl::Status ValidateImport(const ImportOrderCommand& command, int max_lines, int64_t max_quantity);
// The buyer an imported order belongs to: "<channel>:<marketplace buyer id>", never one of the shop's user ids.
std::string ImportedBuyerId(const ImportOrderCommand& command);
// The order's lines, subtotal, discount (spread over the lines by subtotal, largest remainder), shipping fee and total.
void PriceImport(const ImportOrderCommand& command, Order& order);

// The (channel, external order id) -> order id claims. Blocking.
class OrderImportStore {
 public:
  virtual ~OrderImportStore() = default;
  // Claims the marketplace order for `order_id`; answers the order id that holds it (order_id itself when claimed now).
  virtual absl::StatusOr<std::string> Claim(const std::string& channel, const std::string& external_order_id,
                                            const std::string& order_id, absl::Time now) = 0;
  // Hands a claim from `failed_order_id` to `order_id`; false when it no longer names failed_order_id (someone else
  // moved it first).
  virtual absl::StatusOr<bool> Reclaim(const std::string& channel, const std::string& external_order_id,
                                       const std::string& failed_order_id, const std::string& order_id) = 0;
};

struct ImportSettings {
  int max_lines = 50;
  int64_t max_quantity = 9999;
  // How long a reservation may stay unconfirmed should the import stop half way (product expires it then).
  absl::Duration reservation_ttl = absl::Minutes(20);
  // How long a repeat waits for a concurrent first import to finish before answering it as it stands.
  absl::Duration duplicate_wait = absl::Seconds(3);
};

class OrderImports {
 public:
  OrderImports(OrderStore& orders, OrderImportStore& imports, ProductCatalog& catalog, Clock& clock, IdGenerator& ids,
               Executor& blocking, ImportSettings settings = {});

  // Start it on a thread that may block; `done` runs once, on any thread.
  void Import(const ImportOrderCommand& command, Callback<ImportResult> done);

 private:
  // A CREATING order for the import (BeginPlacement); its id.
  absl::StatusOr<std::string> BeginDraft(const ImportOrderCommand& command);
  void DropDraft(const std::string& order_id);
  // Reserves, places, pays and confirms the claimed order.
  void Start(const ImportOrderCommand& command, const std::string& order_id, Callback<ImportResult> done);
  // A repeat: wait for, retry or finish the claimed order.
  void Replay(const ImportOrderCommand& command, const std::string& order_id, absl::Time give_up, int attempt,
              Callback<ImportResult> done);
  // Moves a placed order on to AWAITING_SHIPMENT from whatever state it reached.
  void Advance(const ImportOrderCommand& command, const std::string& order_id, bool duplicate,
               Callback<ImportResult> done, int attempt = 0);

  OrderStore& orders_;
  OrderImportStore& imports_;
  ProductCatalog& catalog_;
  Clock& clock_;
  IdGenerator& ids_;
  Executor& blocking_;
  ImportSettings settings_;
};

}  // namespace zhongtai::order
