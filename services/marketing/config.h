#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"

namespace zhongtai::marketing {

struct MarketingConfig {
  server::ServiceSettings service;
  // The user center, for the members of a segment that a coupon issue pages through.
  std::string user_address = "127.0.0.1:50054";
  // How often the issue runner looks for coupon issues to start or resume.
  absl::Duration coupon_issue_interval = absl::Seconds(5);
  // Users per page of a coupon issue.
  int coupon_issue_page_size = 500;
  // A coupon gets its CouponExpiringSoon this long before its validity ends.
  absl::Duration expiry_reminder_lead = absl::Hours(72);
  // How often the reminder sweep runs (it is idempotent: each coupon is reminded once).
  absl::Duration expiry_sweep_interval = absl::Hours(24);
  // After this long unacknowledged, an order event another replica took is handled here.
  absl::Duration events_claim_idle = absl::Seconds(30);
  // The product service, which holds each flash sale's quantity as a reservation.
  std::string product_address;
  // A flash sale is settled with the product this long after its end (longer than the order payment timeout).
  absl::Duration flash_settle_after = absl::Minutes(20);
  absl::Duration flash_sweep_interval = absl::Seconds(5);
  // Deadline of a BatchGetSkus call: a quote's gift stock, an experiment's list prices.
  absl::Duration product_skus_timeout = absl::Milliseconds(500);
  // Coupon farming (OWASP API6): claims of one coupon template from one device (the X-Zt-Device-Id header), whatever
  // the account; 0 turns the cap off. With claim_requires_device, a claim without a device id is refused.
  int64_t claims_per_device = 3;
  bool claim_requires_device = false;
};

// From ZT_MARKETING_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<MarketingConfig> LoadConfig();

}  // namespace zhongtai::marketing
