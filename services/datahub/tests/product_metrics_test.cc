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
  CHECK(r.margin_bps == 4000);  // 40.0024%

  ProductCounts m;
  m.gmv_minor = 20000;
  m.cost_minor = 19999;  // margin 1 fen of 200.00: 0.5 bp, half away from zero
  CHECK(RatesOf(m).margin_bps == 1);
  m.cost_minor = 20001;
  CHECK(RatesOf(m).margin_bps == -1);
  m.cost_minor = 24680;  // sold at a loss: -23.40%
  CHECK(RatesOf(m).margin_bps == -2340);
  m.gmv_minor = 0;  // costs but no GMV: a margin in money, no rate
  m.cost_minor = 0;
  CHECK(RatesOf(m).margin_minor == 0);
  CHECK_FALSE(RatesOf(m).margin_bps.has_value());

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

namespace zhongtai::datahub {

TEST_CASE("product listing page tokens carry the range, currency, sort and where the page ended") {
  ProductListStoreQuery q;
  q.start_time = absl::FromUnixSeconds(1764806400);
  q.end_time = q.start_time + absl::Hours(24);
  q.currency = "CNY";
  q.sort = ProductSort::kUnitsSold;
  const std::string token = EncodeProductPageToken(q, {1234, "p|odd id"});
  ProductListStoreQuery back = DecodeProductPageToken(token).value();
  CHECK(back.start_time == q.start_time);
  CHECK(back.end_time == q.end_time);
  CHECK(back.currency == "CNY");
  CHECK(back.sort == ProductSort::kUnitsSold);
  REQUIRE(back.after.has_value());
  CHECK(back.after->value == 1234);
  CHECK(back.after->product_id == "p|odd id");
  for (const std::string bad : {std::string("x"), std::string("!!"), std::string()}) {
    absl::Status status = DecodeProductPageToken(bad).status();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace zhongtai::datahub
