// Settings that were renamed. An old name still set in the environment stops start-up with a message naming its
// replacement, so that an operator who upgrades is told instead of silently getting the default.
#pragma once

#include <vector>

namespace zhongtai::config {

struct RenamedSetting {
  const char* prefix;    // the service's, e.g. "ZT_ORDER_"
  const char* old_name;  // after the prefix, e.g. "PAYMENT_TIMEOUT_SECONDS"
  const char* new_name;  // after the prefix, e.g. "PAYMENT_TIMEOUT"
  const char* example;   // a value of the new form, e.g. "15m"
};

// Every renamed setting of the suite; Env::Finish() refuses the ones of its prefix that are set.
const std::vector<RenamedSetting>& RenamedSettings();

}  // namespace zhongtai::config
