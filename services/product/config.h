#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::product {

struct ProductConfig {
  int grpc_port = 50051;
  int metrics_port = 9101;
  std::string pg_dsn;
  int pg_pool_size = 8;
  int worker_threads = 8;
  // Not used yet: reads go to PostgreSQL. Accepted so that the stack can pass it already.
  std::string redis_address;
  absl::Duration reservation_sweep_interval = absl::Seconds(1);
  int reservation_sweep_batch = 100;
  // How long a product page may be served from memory; 0 turns the cache off.
  absl::Duration product_cache_ttl = absl::Seconds(1);
  absl::Duration reservation_default_ttl = absl::Minutes(15);
  absl::Duration drain_timeout = absl::Seconds(10);
  // How often the stock rows below their safety stock are counted (zt_product_stock_below_safety).
  absl::Duration stock_alert_interval = absl::Seconds(60);
  // ABC classification of SKUs by 30-day revenue: how often, and the revenue shares of A and B (C is the rest).
  absl::Duration abc_interval = absl::Hours(24);
  int abc_a_percent = 70;
  int abc_b_percent = 20;
};

// From ZT_PRODUCT_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<ProductConfig> LoadConfig();

}  // namespace zhongtai::product
