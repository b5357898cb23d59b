// One customer's paid orders as RFM and LTV need them, summed from the order facts.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace zhongtai::datahub {

struct CustomerHistory {
  std::string user_id;
  std::string channel;  // of the first paid order ("" when unknown)
  absl::Time first_paid_at;
  absl::Time last_paid_at;
  int64_t paid_orders = 0;
  int64_t paid_minor = 0;
};

}  // namespace zhongtai::datahub
