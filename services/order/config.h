#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"

namespace zhongtai::order {

struct OrderConfig {
  server::ServiceSettings service;
  std::string product_address;
  std::string marketing_address;
  std::string user_address;
  // Shipping: a flat fee per order in fen, free from the buyer's tier threshold (user center's tier table).
  int64_t shipping_fee = 1000;
  // Points pay at most this share (percent) of the goods after discounts.
  int points_max_share_percent = 50;
  absl::Duration payment_timeout = absl::Minutes(15);
  absl::Duration reservation_grace = absl::Minutes(5);
  absl::Duration sweep_interval = absl::Seconds(1);
  // The payment provider: its name (also the {provider} of its notification route) and base URL.
  std::string payment_provider = "simulator";
  std::string payment_provider_url = "http://127.0.0.1:8090";
  absl::Duration payment_provider_timeout = absl::Seconds(3);
  // An attempt without an outcome this long is looked up at the provider; a sweeper holds one this long.
  absl::Duration payment_query_after = absl::Seconds(30);
  absl::Duration payment_lease = absl::Minutes(1);
  // Lines a buyer's cart holds at most; rows the admin CSV export holds at most.
  int cart_max_lines = 200;
  int export_max_rows = 10000;
  // Fulfilment: orders of one buyer to one address from one warehouse placed this close together ship as one parcel;
  // a delivered order completes on its own after auto_confirm_after; no-reason returns are open this long after
  // completion (per category where it differs, e.g. "cat-fresh=0s,cat-furniture=360h"); the checkout promises
  // delivery from handling_days after the order.
  absl::Duration merge_window = absl::Hours(24);
  absl::Duration auto_confirm_after = absl::Hours(7 * 24);
  absl::Duration after_sales_window = absl::Hours(7 * 24);
  std::map<std::string, absl::Duration> after_sales_window_by_category;
  int handling_days = 1;
  // Hoarding stock with unpaid orders (OWASP API6): a buyer's open unpaid orders at most (0: no cap), and units of
  // one SKU in one order.
  int max_open_orders = 20;
  int64_t max_quantity_per_sku = 9999;
};

// From ZT_ORDER_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<OrderConfig> LoadConfig();

}  // namespace zhongtai::order
