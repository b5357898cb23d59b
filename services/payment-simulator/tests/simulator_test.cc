#include "services/payment-simulator/simulator.h"

#include <catch2/catch.hpp>

#include "services/payment-simulator/api.h"

namespace zhongtai::paysim {
namespace {

TEST_CASE("creating a payment is idempotent per order id until it is declined") {
  FakeClock clock;
  Simulator sim("http://sim:8090", clock);
  auto first = sim.Create("o1", 1999, "CNY");
  REQUIRE(first.ok());
  CHECK(first->status == PaymentStatus::kPending);
  CHECK(first->pay_url == "http://sim:8090/v1/payments/o1:pay");
  auto again = sim.Create("o1", 1999, "CNY");
  REQUIRE(again.ok());
  CHECK(again->payment_id == first->payment_id);
  CHECK(ProviderCodeOf(sim.Create("o1", 2000, "CNY").status()) == "AMOUNT_MISMATCH");

  sim.SetControl(std::string("o1"), Control{/*decline=*/true});
  bool changed = false;
  auto declined = sim.BuyerPays("o1", &changed);
  REQUIRE(declined.ok());
  CHECK(changed);
  CHECK(declined->status == PaymentStatus::kDeclined);
  sim.ResetControls();
  auto retry = sim.Create("o1", 1999, "CNY");
  REQUIRE(retry.ok());
  CHECK(retry->payment_id != first->payment_id);
  CHECK(retry->status == PaymentStatus::kPending);
}

TEST_CASE("the buyer pays once: paying again changes nothing, and a closed payment cannot be paid") {
  FakeClock clock;
  Simulator sim("http://sim", clock);
  REQUIRE(sim.Create("o1", 500, "CNY").ok());
  bool changed = false;
  auto paid = sim.BuyerPays("o1", &changed);
  REQUIRE(paid.ok());
  CHECK(changed);
  CHECK(paid->status == PaymentStatus::kSucceeded);
  CHECK(sim.BuyerPays("o1", &changed).ok());
  CHECK_FALSE(changed);
  CHECK(sim.Close("o1")->status == PaymentStatus::kSucceeded);  // the buyer was faster

  REQUIRE(sim.Create("o2", 500, "CNY").ok());
  CHECK(sim.Close("o2")->status == PaymentStatus::kClosed);
  CHECK(ProviderCodeOf(sim.BuyerPays("o2", &changed).status()) == "PAYMENT_NOT_PAYABLE");
  CHECK(sim.Get("nope").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("refunds are idempotent by refund id and never exceed what was paid") {
  FakeClock clock;
  Simulator sim("http://sim", clock);
  REQUIRE(sim.Create("o1", 1000, "CNY").ok());
  CHECK(ProviderCodeOf(sim.RefundPayment("o1", "r1", 100).status()) == "PAYMENT_NOT_PAID");
  bool changed = false;
  REQUIRE(sim.BuyerPays("o1", &changed).ok());
  REQUIRE(sim.RefundPayment("o1", "r1", 600).ok());
  REQUIRE(sim.RefundPayment("o1", "r1", 600).ok());  // the same refund again
  CHECK(sim.Get("o1")->refunded == 600);
  CHECK(ProviderCodeOf(sim.RefundPayment("o1", "r1", 300).status()) == "REFUND_ID_REUSED");
  CHECK(ProviderCodeOf(sim.RefundPayment("o1", "r2", 401).status()) == "REFUND_EXCEEDS_PAYMENT");
  REQUIRE(sim.RefundPayment("o1", "r2", 400).ok());
  CHECK(sim.Get("o1")->refunded == 1000);
}

TEST_CASE("the notification body is the proto3 JSON of the merchant's notification") {
  Payment payment;
  payment.order_id = "o1";
  payment.payment_id = "sim_1";
  payment.status = PaymentStatus::kSucceeded;
  payment.amount = 1999;
  payment.currency = "CNY";
  payment.paid_at = absl::FromUnixSeconds(1767225600);
  CHECK(Api::NotificationBody(payment) ==
        R"({"orderId":"o1","paymentId":"sim_1","status":"SUCCEEDED","amount":{"currency":"CNY","amountMinor":"1999"},)"
        R"("paidTime":"2026-01-01T00:00:00+00:00"})");
}

}  // namespace
}  // namespace zhongtai::paysim
