// Flash sales without Redis or a database: validation with field names, the admission rule (window, per-user limit,
// stock, request id replay), creation against the product reservation, reloading Redis from PostgreSQL, settlement.
#include "services/marketing/domain/flash_sales.h"

#include <catch2/catch.hpp>

#include "common/status/details.h"
#include "common/status/status.h"
#include "services/marketing/domain/flash_sale_rules.h"
#include "services/marketing/tests/flash_fakes.h"

namespace zhongtai::marketing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

FlashSale Draft() {
  FlashSale sale;
  sale.name = "iPhone 1元秒杀";
  sale.sku_id = "sku_1";
  sale.sale_price = 100;
  sale.currency = "CNY";
  sale.quantity = 3;
  sale.per_user_limit = 2;
  sale.start_time = kNow - absl::Minutes(1);
  sale.end_time = kNow + absl::Hours(1);
  return sale;
}

void CheckInvalid(const FlashSale& sale, const std::string& field, const std::string& reason) {
  absl::Status status = ValidateFlashSale(sale, kNow);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(status) == field);
  CHECK(ReasonOf(status) == reason);
}

struct World {
  InMemoryFlashSaleStore store;
  InMemoryFlashAdmission admission;
  FakeFlashSaleStock stock;
  FakeClock clock{kNow};
  SequentialFlashIds ids;
  async::InlineExecutor blocking;
  FlashSales sales{store, admission, stock, clock, ids, blocking};

  absl::StatusOr<FlashSale> Create(FlashSale draft, const std::string& request_id) {
    absl::StatusOr<FlashSale> result = absl::UnknownError("not called");
    sales.Create(std::move(draft), request_id, [&](absl::StatusOr<FlashSale> r) { result = std::move(r); });
    return result;
  }
  FlashSale Open(FlashSale draft = Draft()) {
    absl::StatusOr<FlashSale> sale = Create(std::move(draft), "req-create");
    REQUIRE(sale.ok());
    return *sale;
  }
  // The ingest's part: the winners recorded in PostgreSQL.
  void RecordWinners() {
    for (const FlashWinner& w : admission.winners) {
      store.Record(
          {w.purchase_id, w.sale_id, w.user_id, w.request_id, w.order_id, PurchaseStatus::kOrdered, w.admit_time});
    }
  }
};

TEST_CASE("a flash sale names the field that is wrong") {
  CHECK(ValidateFlashSale(Draft(), kNow).ok());
  FlashSale s = Draft();
  s.name = "";
  CheckInvalid(s, "flashSale.name", "NAME_MISSING");
  s = Draft();
  s.sku_id = "";
  CheckInvalid(s, "flashSale.skuId", "SKU_ID_MISSING");
  s = Draft();
  s.sale_price = 0;
  CheckInvalid(s, "flashSale.salePrice.amountMinor", "PRICE_NOT_POSITIVE");
  s = Draft();
  s.currency = "RMBX";
  CheckInvalid(s, "flashSale.salePrice.currency", "CURRENCY_INVALID");
  s = Draft();
  s.quantity = 0;
  CheckInvalid(s, "flashSale.quantity", "QUANTITY_NOT_POSITIVE");
  s = Draft();
  s.quantity = kMaxFlashSaleQuantity + 1;
  CheckInvalid(s, "flashSale.quantity", "QUANTITY_TOO_LARGE");
  s = Draft();
  s.per_user_limit = 0;
  CheckInvalid(s, "flashSale.perUserLimit", "QUANTITY_NOT_POSITIVE");
  s = Draft();
  s.per_user_limit = 4;
  CheckInvalid(s, "flashSale.perUserLimit", "LIMIT_ABOVE_QUANTITY");
  s = Draft();
  s.start_time = absl::InfinitePast();
  CheckInvalid(s, "flashSale.startTime", "START_TIME_MISSING");
  s = Draft();
  s.end_time = s.start_time;
  CheckInvalid(s, "flashSale.endTime", "END_BEFORE_START");
  s = Draft();
  s.start_time = kNow - absl::Hours(2);
  s.end_time = kNow - absl::Hours(1);
  CheckInvalid(s, "flashSale.endTime", "INVALID_TIME_RANGE");
  s = Draft();
  s.end_time = kNow + absl::Hours(24 * 6 + 1);
  CheckInvalid(s, "flashSale.endTime", "INVALID_TIME_RANGE");
}

TEST_CASE("admission checks the window, then the buyer's limit, then the stock, and a replay wins over all") {
  AdmissionView view;
  view.loaded = true;
  view.start_time = kNow;
  view.end_time = kNow + absl::Hours(1);
  view.per_user_limit = 1;
  view.remaining = 1;
  CHECK(DecideAdmission(view, kNow) == AdmissionOutcome::kAdmitted);
  CHECK(DecideAdmission(view, kNow - absl::Nanoseconds(1)) == AdmissionOutcome::kNotStarted);
  CHECK(DecideAdmission(view, kNow + absl::Hours(1)) == AdmissionOutcome::kEnded);
  view.held_by_user = 1;
  view.remaining = 0;
  CHECK(DecideAdmission(view, kNow) == AdmissionOutcome::kLimitReached);
  view.held_by_user = 0;
  CHECK(DecideAdmission(view, kNow) == AdmissionOutcome::kSoldOut);
  view.first_purchase_id = "fp_1";
  CHECK(DecideAdmission(view, kNow + absl::Hours(2)) == AdmissionOutcome::kReplay);
  view.loaded = false;
  CHECK(DecideAdmission(view, kNow) == AdmissionOutcome::kNotLoaded);
  for (AdmissionOutcome o : {AdmissionOutcome::kAdmitted, AdmissionOutcome::kReplay, AdmissionOutcome::kNotLoaded,
                             AdmissionOutcome::kNotStarted, AdmissionOutcome::kEnded, AdmissionOutcome::kLimitReached,
                             AdmissionOutcome::kSoldOut}) {
    CHECK(AdmissionOutcomeFromName(AdmissionOutcomeName(o)) == o);
  }
  CHECK(ReasonOf(AdmissionError(AdmissionOutcome::kSoldOut)) == "FLASH_SALE_SOLD_OUT");
  CHECK(AdmissionError(AdmissionOutcome::kLimitReached).code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("creating a flash sale reserves its quantity from the product and opens it in Redis, once per request") {
  World w;
  FlashSale sale = w.Open();
  CHECK(sale.status == FlashSaleStatus::kActive);
  REQUIRE(w.stock.reserves.size() == 1);
  CHECK(w.stock.reserves[0] == std::make_pair(sale.sale_id, int64_t{3}));
  // Held until settlement: the end, the settlement delay and a margin.
  CHECK(w.stock.last_ttl >= absl::Hours(1) + absl::Minutes(20));
  CHECK(*w.admission.Remaining(sale.sale_id) == std::optional<int64_t>(3));

  absl::StatusOr<FlashSale> replay = w.Create(Draft(), "req-create");
  REQUIRE(replay.ok());
  CHECK(replay->sale_id == sale.sale_id);
}

TEST_CASE("a flash sale whose stock the product cannot hold fails, and a replay says so again") {
  World w;
  w.stock.reserve_result = FailedPrecondition("INSUFFICIENT_STOCK", "short");
  absl::StatusOr<FlashSale> sale = w.Create(Draft(), "req-1");
  CHECK(ReasonOf(sale.status()) == "INSUFFICIENT_STOCK");
  w.stock.reserve_result = absl::OkStatus();
  absl::StatusOr<FlashSale> replay = w.Create(Draft(), "req-1");
  CHECK(ReasonOf(replay.status()) == "INSUFFICIENT_STOCK");
  CHECK(w.stock.reserves.size() == 1);
  absl::StatusOr<std::vector<CurrentFlashSale>> current = w.sales.ListCurrent();
  CHECK(current->empty());
}

TEST_CASE("a flash sale interrupted while reserving is finished by the sweeper") {
  World w;
  w.stock.reserve_result = Unavailable("UPSTREAM_UNAVAILABLE", "product down");
  CHECK(w.Create(Draft(), "req-1").status().code() == absl::StatusCode::kUnavailable);
  w.stock.reserve_result = absl::OkStatus();
  w.clock.Advance(absl::Minutes(1));
  CHECK(w.sales.SweepOnce() == 1);
  absl::StatusOr<std::vector<CurrentFlashSale>> current = w.sales.ListCurrent();
  REQUIRE(current->size() == 1);
  CHECK(current->at(0).remaining == std::optional<int64_t>(3));
}

TEST_CASE("buyers win one unit per purchase up to their limit and the quantity, and a retry returns the first") {
  World w;
  FlashSale sale = w.Open();
  absl::StatusOr<FlashPurchase> first = w.sales.Purchase("u1", sale.sale_id, "k1");
  REQUIRE(first.ok());
  CHECK(first->status == PurchaseStatus::kPending);
  CHECK(first->order_id == FlashOrderId(first->purchase_id));
  absl::StatusOr<FlashPurchase> again = w.sales.Purchase("u1", sale.sale_id, "k1");
  REQUIRE(again.ok());
  CHECK(again->purchase_id == first->purchase_id);
  REQUIRE(w.sales.Purchase("u1", sale.sale_id, "k2").ok());
  CHECK(ReasonOf(w.sales.Purchase("u1", sale.sale_id, "k3").status()) == "FLASH_SALE_LIMIT_REACHED");
  REQUIRE(w.sales.Purchase("u2", sale.sale_id, "k1").ok());
  CHECK(ReasonOf(w.sales.Purchase("u3", sale.sale_id, "k1").status()) == "FLASH_SALE_SOLD_OUT");
  CHECK(w.admission.winners.size() == 3);
  CHECK(w.admission.winners[0].sale_price == 100);
  CHECK(w.admission.winners[0].sku_id == "sku_1");

  // A cancelled order gives its unit back to the sale and to the buyer's limit.
  w.admission.Release(sale.sale_id, first->purchase_id, "u1").IgnoreError();
  w.admission.Release(sale.sale_id, first->purchase_id, "u1").IgnoreError();
  CHECK(w.sales.Purchase("u3", sale.sale_id, "k1").ok());
  CHECK(ReasonOf(w.sales.Purchase("u1", sale.sale_id, "k4").status()) == "FLASH_SALE_SOLD_OUT");
}

TEST_CASE("purchases outside the window are refused, and unknown sales are not found") {
  World w;
  FlashSale draft = Draft();
  draft.start_time = kNow + absl::Minutes(10);
  FlashSale sale = w.Open(draft);
  CHECK(ReasonOf(w.sales.Purchase("u1", sale.sale_id, "k1").status()) == "FLASH_SALE_NOT_STARTED");
  w.clock.Advance(absl::Hours(2));
  CHECK(ReasonOf(w.sales.Purchase("u1", sale.sale_id, "k1").status()) == "FLASH_SALE_ENDED");
  CHECK(ReasonOf(w.sales.Purchase("u1", "fs_missing", "k1").status()) == "FLASH_SALE_NOT_FOUND");
  CHECK(ReasonOf(w.sales.Purchase("u1", sale.sale_id, "").status()) == "REQUEST_ID_MISSING");
}

TEST_CASE("after Redis lost its data the sale is rebuilt from PostgreSQL: quantity minus units held") {
  World w;
  FlashSale sale = w.Open();
  absl::StatusOr<FlashPurchase> p1 = w.sales.Purchase("u1", sale.sale_id, "k1");
  absl::StatusOr<FlashPurchase> p2 = w.sales.Purchase("u2", sale.sale_id, "k1");
  REQUIRE((p1.ok() && p2.ok()));
  w.RecordWinners();
  w.store.SetPurchaseStatus(p2->purchase_id, PurchaseStatus::kReleased);
  w.admission.Flush();

  // The next purchase finds the sale missing, reloads it and is decided on the rebuilt state.
  absl::StatusOr<FlashPurchase> p3 = w.sales.Purchase("u3", sale.sale_id, "k1");
  REQUIRE(p3.ok());
  CHECK(w.admission.loads == 2);
  CHECK(*w.admission.Remaining(sale.sale_id) == std::optional<int64_t>(1));  // 3 - u1 - u3
  // u1's request id still answers its first purchase.
  CHECK(w.sales.Purchase("u1", sale.sale_id, "k1")->purchase_id == p1->purchase_id);
}

TEST_CASE("a winner is recorded before the answer, and one Redis lost with its stream entry is published again") {
  World w;
  FlashSale sale = w.Open();
  absl::StatusOr<FlashPurchase> p1 = w.sales.Purchase("u1", sale.sale_id, "k1");
  absl::StatusOr<FlashPurchase> p2 = absl::UnknownError("not called");
  w.sales.PurchaseAsync("u2", sale.sale_id, "k1", [&](absl::StatusOr<FlashPurchase> r) { p2 = std::move(r); });
  REQUIRE((p1.ok() && p2.ok()));
  // Both are in PostgreSQL already, before any stream consumer ran; a replay and a loser write nothing.
  for (const FlashPurchase* p : {&*p1, &*p2}) {
    auto recorded = w.store.GetPurchase(p->purchase_id);
    REQUIRE(recorded.ok());
    REQUIRE(recorded->has_value());
    CHECK((*recorded)->status == PurchaseStatus::kPending);
    CHECK((*recorded)->order_id == p->order_id);
    CHECK((*recorded)->request_id == "k1");
  }
  CHECK(w.sales.Purchase("u1", sale.sale_id, "k1")->purchase_id == p1->purchase_id);
  CHECK(w.store.ListPurchases(sale.sale_id)->size() == 2);
  const FlashWinner first = w.admission.winners.at(0);

  // The order center made u2's order; then Redis restarts empty, the winners' stream with it.
  w.store.SetPurchaseStatus(p2->purchase_id, PurchaseStatus::kOrdered);
  w.admission.Flush();
  CHECK(w.sales.SweepOnce() == 1);  // the running sale rebuilt without waiting for a buyer
  CHECK(*w.admission.Remaining(sale.sale_id) == std::optional<int64_t>(1));  // 3 - u1 - u2
  // u1's winner is on the stream again, as the admission wrote it; u2's order exists and is not asked for twice.
  REQUIRE(w.admission.winners.size() == 1);
  const FlashWinner& again = w.admission.winners[0];
  CHECK(again.purchase_id == first.purchase_id);
  CHECK(again.order_id == first.order_id);
  CHECK(again.user_id == "u1");
  CHECK(again.request_id == "k1");
  CHECK(again.sku_id == first.sku_id);
  CHECK(again.sale_price == first.sale_price);
  CHECK(again.currency == first.currency);
  CHECK(again.admit_time == first.admit_time);
  CHECK(w.sales.SweepOnce() == 0);  // loaded: nothing more
  CHECK(w.admission.winners.size() == 1);

  // An ended sale waiting for its settlement is rebuilt too: no buyer would come to do it.
  w.admission.Flush();
  w.clock.Advance(absl::Hours(1) + absl::Minutes(1));
  CHECK(w.sales.SweepOnce() == 1);
  CHECK(w.admission.winners.size() == 1);
}

TEST_CASE("the asynchronous purchase answers as Purchase, and rebuilds a sale Redis lost on the blocking executor") {
  World w;
  FlashSale sale = w.Open();
  auto purchase = [&](const std::string& user, const std::string& request) {
    absl::StatusOr<FlashPurchase> out = absl::UnknownError("not called");
    w.sales.PurchaseAsync(user, sale.sale_id, request, [&](absl::StatusOr<FlashPurchase> r) { out = std::move(r); });
    return out;
  };
  absl::StatusOr<FlashPurchase> p1 = purchase("u1", "k1");
  REQUIRE(p1.ok());
  CHECK(p1->status == PurchaseStatus::kPending);
  CHECK(p1->order_id == FlashOrderId(p1->purchase_id));
  CHECK(purchase("u1", "k1")->purchase_id == p1->purchase_id);  // a retry answers the first purchase
  CHECK(purchase("u1", "k2").ok());
  CHECK(ReasonOf(purchase("u1", "k3").status()) == "FLASH_SALE_LIMIT_REACHED");
  CHECK(ReasonOf(purchase("", "").status()) == "REQUEST_ID_MISSING");
  w.RecordWinners();
  w.admission.Flush();
  absl::StatusOr<FlashPurchase> p3 = purchase("u2", "k1");  // NOT_LOADED: reloaded, then admitted
  REQUIRE(p3.ok());
  CHECK(w.admission.loads == 2);
  CHECK(*w.admission.Remaining(sale.sale_id) == std::optional<int64_t>(0));
  CHECK(ReasonOf(purchase("u3", "k1").status()) == "FLASH_SALE_SOLD_OUT");
  absl::StatusOr<FlashPurchase> unknown = absl::UnknownError("not called");
  w.sales.PurchaseAsync("u1", "fs_nope", "k1", [&](absl::StatusOr<FlashPurchase> r) { unknown = std::move(r); });
  CHECK(ReasonOf(unknown.status()) == "FLASH_SALE_NOT_FOUND");
}

TEST_CASE("a buyer polls only their own purchase, pending until recorded") {
  World w;
  FlashSale sale = w.Open();
  absl::StatusOr<FlashPurchase> p = w.sales.Purchase("u1", sale.sale_id, "k1");
  REQUIRE(p.ok());
  absl::StatusOr<FlashPurchase> polled = w.sales.GetPurchase("u1", sale.sale_id, p->purchase_id);
  REQUIRE(polled.ok());
  CHECK(polled->status == PurchaseStatus::kPending);
  CHECK(ReasonOf(w.sales.GetPurchase("u2", sale.sale_id, p->purchase_id).status()) == "FLASH_PURCHASE_NOT_FOUND");
  w.RecordWinners();
  polled = w.sales.GetPurchase("u1", sale.sale_id, p->purchase_id);
  CHECK(polled->status == PurchaseStatus::kOrdered);
  CHECK(polled->order_id == p->order_id);
}

TEST_CASE("an ended sale is settled after the payment window with its paid units, once") {
  World w;
  FlashSale sale = w.Open();
  absl::StatusOr<FlashPurchase> p1 = w.sales.Purchase("u1", sale.sale_id, "k1");
  REQUIRE(w.sales.Purchase("u2", sale.sale_id, "k1").ok());
  w.RecordWinners();
  w.store.SetPurchaseStatus(p1->purchase_id, PurchaseStatus::kPaid);
  w.clock.Advance(absl::Hours(1) + absl::Minutes(10));
  CHECK(w.sales.SweepOnce() == 0);  // ended, but orders may still be paid
  w.clock.Advance(absl::Minutes(15));
  CHECK(w.sales.SweepOnce() == 1);
  REQUIRE(w.stock.settlements.size() == 1);
  CHECK(w.stock.settlements[0] == std::make_pair(sale.sale_id, int64_t{1}));
  CHECK(w.sales.SweepOnce() == 0);
  CHECK(w.store.Get(sale.sale_id)->value().status == FlashSaleStatus::kSettled);
}

}  // namespace
}  // namespace zhongtai::marketing

namespace zhongtai::marketing {
namespace {

// An exclusive promotion on sku_1 over the first half hour of Draft()'s window.
class ExclusiveOnSku1 : public CalendarSource {
 public:
  absl::StatusOr<std::vector<CalendarItem>> ItemsBetween(absl::Time from, absl::Time to) override {
    CalendarItem item;
    item.kind = CalendarItemKind::kPromotion;
    item.id = "pr_exclusive";
    item.name = "sku_1 exclusive";
    item.start = kNow - absl::Hours(1);
    item.end = kNow + absl::Minutes(30);
    item.currency = "CNY";
    item.scope.all_products = false;
    item.scope.sku_ids = {"sku_1"};
    item.exclusivity = Exclusivity::kAll;
    if (item.start < to && item.end > from) return std::vector<CalendarItem>{item};
    return std::vector<CalendarItem>{};
  }
};

struct CheckedWorld {
  InMemoryFlashSaleStore store;
  InMemoryFlashAdmission admission;
  FakeFlashSaleStock stock;
  FakeClock clock{kNow};
  SequentialFlashIds ids;
  async::InlineExecutor blocking;
  ExclusiveOnSku1 promotions;
  CampaignCalendar calendar{{&promotions}};
  FlashSales sales{store, admission, stock, clock, ids, blocking, FlashSaleSettings{}, &calendar};

  absl::StatusOr<CreatedFlashSale> Create(FlashSale draft, const std::string& request_id, bool allow) {
    absl::StatusOr<CreatedFlashSale> result = absl::UnknownError("not called");
    sales.CreateChecked(std::move(draft), request_id, allow,
                        [&](absl::StatusOr<CreatedFlashSale> r) { result = std::move(r); });
    return result;
  }
};

}  // namespace

TEST_CASE("a flash sale over an exclusive promotion's SKU and time is refused, or created with a warning") {
  CheckedWorld w;
  auto refused = w.Create(Draft(), "req-1", /*allow=*/false);
  CHECK(refused.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(ReasonOf(refused.status()) == "CAMPAIGN_CONFLICT");
  CHECK(DetailsOf(refused.status()).find("\"id\":\"pr_exclusive\"") != std::string::npos);
  // Nothing was stored or reserved.
  CHECK(w.stock.reserves.empty());
  CHECK(w.store.ListCurrent(absl::InfinitePast())->empty());

  auto allowed = w.Create(Draft(), "req-1", /*allow=*/true);
  REQUIRE(allowed.ok());
  CHECK(allowed->sale.status == FlashSaleStatus::kActive);
  REQUIRE(allowed->conflicts.size() == 1);
  CHECK(allowed->conflicts[0].id == "pr_exclusive");
  CHECK(allowed->conflicts[0].overlap_start == Draft().start_time);
  CHECK(allowed->conflicts[0].overlap_end == kNow + absl::Minutes(30));
  CHECK(w.stock.reserves.size() == 1);

  FlashSale other = Draft();
  other.sku_id = "sku_2";
  auto clear = w.Create(other, "req-2", /*allow=*/false);
  REQUIRE(clear.ok());
  CHECK(clear->conflicts.empty());
  FlashSale later = Draft();
  later.start_time = kNow + absl::Minutes(30);
  auto after_it = w.Create(later, "req-3", /*allow=*/false);
  REQUIRE(after_it.ok());
  CHECK(after_it->conflicts.empty());
}

}  // namespace zhongtai::marketing

namespace zhongtai::marketing {
namespace {

FlashSale Upcoming() {
  FlashSale sale = Draft();
  sale.sale_id = "fs_u";
  sale.status = FlashSaleStatus::kActive;
  sale.quantity = 10;
  sale.start_time = kNow + absl::Hours(1);
  sale.end_time = kNow + absl::Hours(2);
  return sale;
}

void CheckRefused(const absl::StatusOr<FlashSale>& result, absl::StatusCode code, const std::string& reason,
                  const std::string& field) {
  CHECK(result.status().code() == code);
  CHECK(ReasonOf(result.status()) == reason);
  CHECK(FieldOf(result.status()) == field);
}

TEST_CASE("before its start anything of a flash sale may change, validated as a new sale") {
  const FlashSale sale = Upcoming();
  FlashSaleChange change;
  change.sale_price = 150;
  change.quantity = 20;
  change.per_user_limit = 3;
  change.start_time = kNow + absl::Minutes(30);
  change.end_time = kNow + absl::Hours(3);
  change.expected_version = 1;
  absl::StatusOr<FlashSale> next = ApplyFlashSaleChange(sale, change, kNow, 0);
  REQUIRE(next.ok());
  CHECK(next->sale_price == 150);
  CHECK(next->quantity == 20);
  CHECK(next->per_user_limit == 3);
  CHECK(next->start_time == kNow + absl::Minutes(30));
  CHECK(next->end_time == kNow + absl::Hours(3));
  CHECK(next->version == 2);

  FlashSaleChange same;
  same.quantity = sale.quantity;
  CHECK(ApplyFlashSaleChange(sale, same, kNow, 0)->version == 1);  // nothing changed: no new version

  FlashSaleChange bad;
  bad.per_user_limit = 11;
  CheckRefused(ApplyFlashSaleChange(sale, bad, kNow, 0), absl::StatusCode::kInvalidArgument, "LIMIT_ABOVE_QUANTITY",
               "flashSale.perUserLimit");
  bad = {};
  bad.end_now = true;
  CheckRefused(ApplyFlashSaleChange(sale, bad, kNow, 0), absl::StatusCode::kInvalidArgument, "END_TIME_NOT_AFTER_NOW",
               "flashSale.endTime");
  bad = {};
  bad.sale_price = 90;
  bad.currency = "USD";
  CheckRefused(ApplyFlashSaleChange(sale, bad, kNow, 0), absl::StatusCode::kInvalidArgument, "CURRENCY_MISMATCH",
               "flashSale.salePrice.currency");
  bad = {};
  bad.quantity = 11;
  bad.expected_version = 7;
  CheckRefused(ApplyFlashSaleChange(sale, bad, kNow, 0), absl::StatusCode::kAborted, "VERSION_CONFLICT", "version");

  FlashSale settled = sale;
  settled.status = FlashSaleStatus::kSettled;
  CheckRefused(ApplyFlashSaleChange(settled, change, kNow, 0), absl::StatusCode::kFailedPrecondition,
               "FLASH_SALE_NOT_CHANGEABLE", "");
}

TEST_CASE("once started a flash sale may only end now or sell fewer units, not below those taken") {
  FlashSale sale = Upcoming();
  const absl::Time running = sale.start_time + absl::Minutes(10);
  FlashSaleChange fewer;
  fewer.quantity = 6;
  absl::StatusOr<FlashSale> next = ApplyFlashSaleChange(sale, fewer, running, 4);
  REQUIRE(next.ok());
  CHECK(next->quantity == 6);
  CHECK(next->version == 2);
  fewer.quantity = 3;
  CheckRefused(ApplyFlashSaleChange(sale, fewer, running, 4), absl::StatusCode::kFailedPrecondition,
               "FLASH_SALE_QUANTITY_BELOW_SOLD", "flashSale.quantity");
  fewer.quantity = 1;  // the limit (2) comes down with it
  next = ApplyFlashSaleChange(sale, fewer, running, 0);
  REQUIRE(next.ok());
  CHECK(next->per_user_limit == 1);

  FlashSaleChange end;
  end.end_now = true;
  next = ApplyFlashSaleChange(sale, end, running, 4);
  REQUIRE(next.ok());
  CHECK(next->end_time == running);
  end = {};
  end.end_time = running - absl::Minutes(1);  // an end in the past ends it now
  CHECK(ApplyFlashSaleChange(sale, end, running, 4)->end_time == running);
  end.end_time = sale.end_time + absl::Hours(1);
  CheckRefused(ApplyFlashSaleChange(sale, end, running, 4), absl::StatusCode::kFailedPrecondition, "FLASH_SALE_STARTED",
               "flashSale.endTime");

  FlashSaleChange more;
  more.quantity = 11;
  CheckRefused(ApplyFlashSaleChange(sale, more, running, 4), absl::StatusCode::kFailedPrecondition,
               "FLASH_SALE_STARTED", "flashSale.quantity");
  FlashSaleChange price;
  price.sale_price = 99;
  CheckRefused(ApplyFlashSaleChange(sale, price, running, 4), absl::StatusCode::kFailedPrecondition,
               "FLASH_SALE_STARTED", "flashSale.salePrice");
  FlashSaleChange limit;
  limit.per_user_limit = 1;
  CheckRefused(ApplyFlashSaleChange(sale, limit, running, 4), absl::StatusCode::kFailedPrecondition,
               "FLASH_SALE_STARTED", "flashSale.perUserLimit");
  FlashSaleChange start;
  start.start_time = running;
  CheckRefused(ApplyFlashSaleChange(sale, start, running, 4), absl::StatusCode::kFailedPrecondition,
               "FLASH_SALE_STARTED", "flashSale.startTime");

  // After its end: fewer units still, ending it again not.
  const absl::Time after = sale.end_time + absl::Minutes(1);
  CHECK(ApplyFlashSaleChange(sale, FlashSaleChange{{}, "", 5}, after, 4).ok());
  FlashSaleChange again;
  again.end_now = true;
  CheckRefused(ApplyFlashSaleChange(sale, again, after, 4), absl::StatusCode::kFailedPrecondition, "FLASH_SALE_ENDED",
               "flashSale.endTime");
}

TEST_CASE("changing a flash sale moves the product reservation and the admission state together") {
  World w;
  FlashSale draft = Draft();
  draft.quantity = 5;
  draft.per_user_limit = 5;
  draft.start_time = kNow + absl::Minutes(10);
  FlashSale sale = w.Open(draft);

  // Before the start: more units are reserved first.
  FlashSaleChange more;
  more.quantity = 8;
  more.expected_version = 1;
  absl::StatusOr<CreatedFlashSale> changed = w.sales.Update(sale.sale_id, more, false);
  REQUIRE(changed.ok());
  CHECK(changed->sale.quantity == 8);
  CHECK(changed->sale.version == 2);
  REQUIRE(w.stock.resizes.size() == 1);
  CHECK(w.stock.resizes[0] == std::make_pair(sale.sale_id, int64_t{8}));
  CHECK(w.admission.Remaining(sale.sale_id)->value() == 8);

  // A stale version changes nothing.
  CHECK(ReasonOf(w.sales.Update(sale.sale_id, more, false).status()) == "VERSION_CONFLICT");

  // The product cannot hold more: refused, nothing else moved.
  w.stock.resize_result = FailedPrecondition("INSUFFICIENT_STOCK", "short");
  more.quantity = 100;
  more.expected_version = 2;
  CHECK(ReasonOf(w.sales.Update(sale.sale_id, more, false).status()) == "INSUFFICIENT_STOCK");
  CHECK(w.store.Get(sale.sale_id)->value().quantity == 8);
  CHECK(w.admission.Remaining(sale.sale_id)->value() == 8);
  w.stock.resize_result = absl::OkStatus();

  // Running, 3 taken: down to 4 leaves 1 to win; below 3 is refused.
  w.clock.Advance(absl::Minutes(11));
  for (int i = 0; i < 3; ++i) REQUIRE(w.sales.Purchase("u" + std::to_string(i), sale.sale_id, "r").ok());
  FlashSaleChange fewer;
  fewer.quantity = 2;
  CHECK(ReasonOf(w.sales.Update(sale.sale_id, fewer, false).status()) == "FLASH_SALE_QUANTITY_BELOW_SOLD");
  fewer.quantity = 4;
  changed = w.sales.Update(sale.sale_id, fewer, false);
  REQUIRE(changed.ok());
  CHECK(changed->sale.quantity == 4);
  CHECK(w.admission.Remaining(sale.sale_id)->value() == 1);
  CHECK(w.stock.resizes.back() == std::make_pair(sale.sale_id, int64_t{4}));  // the rest back to the product
  CHECK(w.sales.Purchase("u8", sale.sale_id, "r").ok());
  CHECK(ReasonOf(w.sales.Purchase("u9", sale.sale_id, "r").status()) == "FLASH_SALE_SOLD_OUT");

  // Ending it now closes admissions.
  FlashSaleChange end;
  end.end_now = true;
  REQUIRE(w.sales.Update(sale.sale_id, end, false).ok());
  CHECK(ReasonOf(w.sales.Purchase("u10", sale.sale_id, "r").status()) == "FLASH_SALE_ENDED");
}

TEST_CASE("another process that read a sale before its start sells at the price changed before the start") {
  World w;
  FlashSales other{w.store, w.admission, w.stock, w.clock, w.ids, w.blocking};
  FlashSale draft = Draft();
  draft.start_time = kNow + absl::Minutes(10);
  FlashSale sale = w.Open(draft);
  CHECK(ReasonOf(other.Purchase("early", sale.sale_id, "r0").status()) == "FLASH_SALE_NOT_STARTED");  // cached
  FlashSaleChange price;
  price.sale_price = 80;
  REQUIRE(w.sales.Update(sale.sale_id, price, false).ok());
  w.clock.Advance(absl::Minutes(11));
  REQUIRE(other.Purchase("u1", sale.sale_id, "r1").ok());
  REQUIRE(!w.admission.winners.empty());
  CHECK(w.admission.winners.back().sale_price == 80);
}

}  // namespace
}  // namespace zhongtai::marketing
