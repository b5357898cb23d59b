// ABC classification of SKUs by revenue: the few SKUs that make most of the money (A) are watched first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zhongtai::product {

// Shares of the total revenue, in percent: A is the top a_percent, B the next b_percent, C the rest.
struct AbcThresholds {
  int a_percent = 70;
  int b_percent = 20;
};
// (config.cc checks 0 < a_percent, 0 <= b_percent, a_percent + b_percent <= 100.)

struct SkuRevenue {
  std::string sku_id;
  int64_t revenue_minor = 0;  // over the classification window
};

struct SkuClass {
  std::string sku_id;
  char abc_class = 'C';  // 'A', 'B' or 'C'
  bool operator==(const SkuClass& o) const { return sku_id == o.sku_id && abc_class == o.abc_class; }
};

// Ranks SKUs by revenue (ties by id) and walks down the ranking: a SKU is A while the revenue ranked above it is
// under a_percent of the total, B while it is under a_percent + b_percent, C after that. So the SKU that crosses
// a threshold still belongs to the class above it, and one SKU making 90% of the revenue fills A and B alone. A SKU
// without revenue is always C. Out in ranking order.
std::vector<SkuClass> ClassifyAbc(std::vector<SkuRevenue> revenues, const AbcThresholds& thresholds);

// 0 for A, 1 for B, 2 for C, 3 for a SKU not classified yet: the order alerts are listed in.
int AbcRank(char abc_class);

}  // namespace zhongtai::product
