// Time of one best-price quote for a cart of 30 lines with 20 applicable promotions of every kind, layer and
// exclusivity (the promotion engine's target is under 5 ms). Prints the median, p99 and max over many carts
// built from a fixed seed, so runs are comparable.
//   zt-bench-promotion-quote [quotes]   (default 2000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "services/marketing/domain/best_price.h"

namespace zhongtai::marketing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

Promotion Base(int index, PromotionKind kind, PromotionLayer layer, Exclusivity exclusivity) {
  Promotion p;
  p.promotion_id = "pr_" + std::to_string(1000 + index);
  p.name = p.promotion_id;
  p.currency = "CNY";
  p.kind = kind;
  p.layer = layer;
  p.exclusivity = exclusivity;
  p.priority = index % 3;
  p.start_time = kNow - absl::Hours(1);
  p.end_time = kNow + absl::Hours(1);
  return p;
}

std::vector<Promotion> TwentyPromotions() {
  std::vector<Promotion> out;
  int i = 0;
  for (int c = 0; c < 3; ++c) {  // item percent off per category, stacking
    Promotion p = Base(i++, PromotionKind::kItemDiscount, PromotionLayer::kItem, Exclusivity::kNone);
    p.percent_off_bp = 500 + 500 * c;
    p.scope.all_products = false;
    p.scope.category_ids = {"c" + std::to_string(c)};
    out.push_back(p);
  }
  Promotion fixed = Base(i++, PromotionKind::kItemDiscount, PromotionLayer::kItem, Exclusivity::kWithinLayer);
  fixed.fixed_off_per_unit = 1500;
  out.push_back(fixed);
  Promotion three = Base(i++, PromotionKind::kQuantityPrice, PromotionLayer::kItem, Exclusivity::kNone);
  three.group_quantity = 3;
  three.group_price = 26900;
  out.push_back(three);
  Promotion second = Base(i++, PromotionKind::kNthItemDiscount, PromotionLayer::kItem, Exclusivity::kNone);
  second.nth = 2;
  second.percent_off_bp = 5000;
  out.push_back(second);
  for (int b = 0; b < 2; ++b) {
    Promotion bundle = Base(i++, PromotionKind::kBundle, PromotionLayer::kItem, Exclusivity::kNone);
    bundle.bundle_sku_ids = {"s" + std::to_string(b), "s" + std::to_string(b + 5)};
    bundle.bundle_price = 15000;
    out.push_back(bundle);
  }
  for (int t = 0; t < 4; ++t) {
    Promotion tiers = Base(i++, PromotionKind::kThresholdReduction, PromotionLayer::kOrder,
                           t % 2 == 0 ? Exclusivity::kNone : Exclusivity::kWithinLayer);
    tiers.tiers = {{30000 + 10000 * t, 4000 + 500 * t}, {50000 + 20000 * t, 8000 + 1000 * t}};
    out.push_back(tiers);
  }
  Promotion every = Base(i++, PromotionKind::kThresholdReduction, PromotionLayer::kOrder, Exclusivity::kNone);
  every.every_amount = 10000;
  every.every_reduction = 1000;
  every.every_cap = 20000;
  out.push_back(every);
  for (int d = 0; d < 2; ++d) {
    Promotion percent = Base(i++, PromotionKind::kThresholdPercent, PromotionLayer::kOrder, Exclusivity::kNone);
    percent.threshold = 20000 * (d + 1);
    percent.percent_off_bp = 500 + 300 * d;
    out.push_back(percent);
  }
  Promotion gift = Base(i++, PromotionKind::kGift, PromotionLayer::kOrder, Exclusivity::kNone);
  gift.threshold = 50000;
  gift.gift_sku_id = "gift";
  gift.gift_quantity = 1;
  out.push_back(gift);
  for (int c = 0; c < 3; ++c) {
    Promotion coupon = Base(i++, PromotionKind::kThresholdReduction, PromotionLayer::kCoupon,
                            c == 2 ? Exclusivity::kWithinLayer : Exclusivity::kNone);
    coupon.tiers = {{20000 * (c + 1), 3000 * (c + 1)}};
    out.push_back(coupon);
  }
  Promotion everything = Base(i++, PromotionKind::kThresholdPercent, PromotionLayer::kOrder, Exclusivity::kAll);
  everything.percent_off_bp = 3000;
  out.push_back(everything);
  return out;
}

std::vector<QuoteLineInput> Cart(std::mt19937& rng) {
  std::vector<QuoteLineInput> lines;
  for (int i = 0; i < 30; ++i) {
    QuoteLineInput line;
    line.sku_id = "s" + std::to_string(rng() % 40);
    line.currency = "CNY";
    line.unit_price = 500 + static_cast<int64_t>(rng() % 30000);
    line.quantity = 1 + static_cast<int64_t>(rng() % 4);
    line.category_path = {"root", "c" + std::to_string(rng() % 4)};
    lines.push_back(line);
  }
  return lines;
}

// CPU time of this thread: on a shared machine wall time also counts the time other processes had the core.
double ThreadCpuMillis() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double Percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(q * values.size()))];
}

int Run(int quotes) {
  std::mt19937 rng(42);
  const std::vector<Promotion> promotions = TwentyPromotions();
  std::vector<double> millis;
  std::vector<double> cpu_millis;
  int64_t checksum = 0;
  for (int q = 0; q < quotes; ++q) {
    std::vector<QuoteLineInput> lines = Cart(rng);
    auto start = std::chrono::steady_clock::now();
    double cpu_start = ThreadCpuMillis();
    Quote quote = QuoteBestPrice(lines, promotions, Shopper{}, kNow);
    cpu_millis.push_back(ThreadCpuMillis() - cpu_start);
    auto end = std::chrono::steady_clock::now();
    checksum += quote.total;
    millis.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::printf("promotion quote, 30 lines x %zu promotions, %d quotes\n", promotions.size(), quotes);
  std::printf("  wall: median %.3f ms, p99 %.3f ms, max %.3f ms\n", Percentile(millis, 0.5), Percentile(millis, 0.99),
              Percentile(millis, 1.0));
  std::printf("  cpu:  median %.3f ms, p99 %.3f ms, max %.3f ms\n", Percentile(cpu_millis, 0.5),
              Percentile(cpu_millis, 0.99), Percentile(cpu_millis, 1.0));
  std::printf("  checksum of totals %lld\n", static_cast<long long>(checksum));
  return 0;
}

}  // namespace
}  // namespace zhongtai::marketing

int main(int argc, char** argv) {
  int quotes = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (quotes <= 0) {
    std::fprintf(stderr, "usage: zt-bench-promotion-quote [quotes > 0]\n");
    return 2;
  }
  return zhongtai::marketing::Run(quotes);
}
