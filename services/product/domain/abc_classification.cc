#include "services/product/domain/abc_classification.h"

#include <algorithm>

namespace zhongtai::product {

std::vector<SkuClass> ClassifyAbc(std::vector<SkuRevenue> revenues, const AbcThresholds& t) {
  std::sort(revenues.begin(), revenues.end(), [](const SkuRevenue& a, const SkuRevenue& b) {
    if (a.revenue_minor != b.revenue_minor) return a.revenue_minor > b.revenue_minor;
    return a.sku_id < b.sku_id;
  });
  int64_t total = 0;
  for (const auto& r : revenues) total += std::max<int64_t>(0, r.revenue_minor);
  std::vector<SkuClass> out;
  out.reserve(revenues.size());
  int64_t above = 0;  // revenue ranked above the current SKU
  for (const auto& r : revenues) {
    char c = 'C';
    // In integers: above / total < a% <=> above * 100 < a * total.
    if (r.revenue_minor > 0 && total > 0) {
      if (above * 100 < static_cast<int64_t>(t.a_percent) * total) {
        c = 'A';
      } else if (above * 100 < static_cast<int64_t>(t.a_percent + t.b_percent) * total) {
        c = 'B';
      }
    }
    out.push_back({r.sku_id, c});
    above += std::max<int64_t>(0, r.revenue_minor);
  }
  return out;
}

int AbcRank(char abc_class) {
  switch (abc_class) {
    case 'A': return 0;
    case 'B': return 1;
    case 'C': return 2;
    default: return 3;
  }
}

}  // namespace zhongtai::product
