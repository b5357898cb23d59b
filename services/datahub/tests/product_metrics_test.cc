// Product rates from counts, and product metrics queries' validation.
#include "services/datahub/domain/product_metrics.h"

#include <catch2/catch.hpp>

namespace zhongtai::datahub {

TEST_CASE("product rates: add to cart, conversion, UV value, return rate and margin from the counts") {
  ProductCounts c;
  c.unique_visitors = 400;
  c.add_to_cart_visitors = 60;
  c.buyers = 20;
  c.units_sold = 25;
  c.gmv_minor = 250001;  // 625.0025 fen per visitor
  c.units_returned = 2;
  c.cost_minor = 150000;
  ProductRates r = RatesOf(c);
  CHECK(r.add_to_cart_rate == Approx(0.15));
  CHECK(r.conversion_rate == Approx(0.05));
  CHECK(r.uv_value_minor == 625);
  CHECK(r.return_rate == Approx(0.08));
  REQUIRE(r.margin_minor.has_value());
  CHECK(*r.margin_minor == 100001);
  CHECK(*r.margin_rate == Approx(100001.0 / 250001));

  c.cost_minor.reset();  // some unit's cost unknown: no margin rather than a wrong one
  CHECK_FALSE(RatesOf(c).margin_minor.has_value());

  ProductCounts none;  // no visitor, no sale: rates are 0, not NaN
  ProductRates zero = RatesOf(none);
  CHECK(zero.add_to_cart_rate == 0);
  CHECK(zero.conversion_rate == 0);
  CHECK(zero.uv_value_minor == 0);
  CHECK(zero.return_rate == 0);
}

TEST_CASE("product metrics queries are validated and days are UTC days") {
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 6, 1, 15, 30, 0), absl::UTCTimeZone());
  ProductMetricsQuery q{"p1", t, t + absl::Hours(24)};
  CHECK(ValidateProductMetricsQuery(q).ok());
  q.product_id = "";
  CHECK(ValidateProductMetricsQuery(q).code() == absl::StatusCode::kInvalidArgument);
  q.product_id = "p1";
  q.end_time = q.start_time;
  CHECK(ValidateProductMetricsQuery(q).code() == absl::StatusCode::kInvalidArgument);
  q.end_time = q.start_time + absl::Hours(24 * 400);
  CHECK(ValidateProductMetricsQuery(q).code() == absl::StatusCode::kInvalidArgument);
  auto [start, end] = UtcDayWindow(t);
  CHECK(start == absl::FromCivil(absl::CivilDay(2026, 6, 1), absl::UTCTimeZone()));
  CHECK(end - start == absl::Hours(24));
}

}  // namespace zhongtai::datahub
