// Reading a counter back from a Prometheus registry in tests.
#pragma once

#include <map>
#include <string>

#include "prometheus/registry.h"

namespace zhongtai::testing {

// The value of counter `name` whose labels include all of `labels`; 0 when there is none yet.
inline double CounterValue(prometheus::Registry& registry, const std::string& name,
                           const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      size_t matched = 0;
      for (const auto& label : metric.label) {
        auto it = labels.find(label.name);
        if (it != labels.end() && it->second == label.value) ++matched;
      }
      if (matched == labels.size()) return metric.counter.value;
    }
  }
  return 0;
}

}  // namespace zhongtai::testing
