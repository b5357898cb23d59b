#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"
#include "services/product/domain/product_matrix.h"

namespace zhongtai::product {

struct ProductConfig {
  // service.redis_address: where the outbox relay publishes the catalogue events (zt.events.product).
  server::ServiceSettings service;
  absl::Duration reservation_sweep_interval = absl::Seconds(1);
  int reservation_sweep_batch = 100;
  // How long a product page may be served from memory; 0 turns the cache off.
  absl::Duration product_cache_ttl = absl::Seconds(1);
  // How long a search or listing page may be served from memory; 0 turns it off. Catalogue changes drop cached
  // pages at once on every replica (domain/listing_cache.h); the TTL bounds only the stock counts shown in a page.
  absl::Duration listing_cache_ttl = absl::Seconds(10);
  absl::Duration reservation_default_ttl = absl::Minutes(15);
  // Warehouses and stock: how often the stock rows below their safety stock are counted
  // (zt_product_stock_below_safety); how often SKUs are ABC-classified by 30-day revenue, and the revenue
  // shares of A and B (C is the rest).
  absl::Duration stock_alert_interval = absl::Seconds(60);
  absl::Duration abc_interval = absl::Hours(24);
  int abc_a_percent = 70;
  int abc_b_percent = 20;
  // Product matrix: the thresholds of the suggested roles and lifecycle stages (MATRIX_*), and how long a data hub
  // metrics event may stay unacknowledged before another replica claims it.
  MatrixSettings matrix;
  absl::Duration metrics_events_claim_idle = absl::Seconds(30);
};

// From ZT_PRODUCT_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<ProductConfig> LoadConfig();

}  // namespace zhongtai::product
