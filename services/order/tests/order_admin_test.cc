// The back office's order list and CSV export with an in-memory store: filters, pages and what a spreadsheet shows.
#include "services/order/domain/order_admin.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

const absl::Time kDay = absl::FromUnixSeconds(1700000000);

// Summaries newest first; the cursor is the index of the next one. Records the limits asked for.
class InMemoryAdminQueries : public AdminOrderQueries {
 public:
  std::vector<OrderSummary> orders;  // newest first
  std::vector<int> limits;

  absl::StatusOr<OrderSummaryPage> ListOrders(const AdminOrderFilter& filter, int limit,
                                              const std::string& cursor) override {
    limits.push_back(limit);
    size_t from = 0;
    if (!cursor.empty() && !absl::SimpleAtoi(cursor, &from)) {
      return InvalidArgument("pageToken", "PAGE_TOKEN_INVALID", "bad token");
    }
    OrderSummaryPage page;
    for (size_t i = from; i < orders.size(); ++i) {
      const OrderSummary& order = orders[i];
      bool status_ok = filter.statuses.empty() ||
                       std::find(filter.statuses.begin(), filter.statuses.end(), order.status) != filter.statuses.end();
      if (!status_ok || (!filter.channel.empty() && order.channel != filter.channel)) continue;
      if (static_cast<int>(page.orders.size()) == limit) {
        page.next_cursor = absl::StrCat(i);
        break;
      }
      page.orders.push_back(order);
    }
    return page;
  }
};

OrderSummary Summary(int n, OrderStatus status, const std::string& channel) {
  OrderSummary order;
  order.order_id = absl::StrCat("o", n);
  order.buyer_id = absl::StrCat("u", n);
  order.status = status;
  order.channel = channel;
  order.subtotal = 1999 * n;
  order.total = 1999 * n;
  order.created_at = kDay - absl::Minutes(n);
  order.warehouse_ids = {"wh-1"};
  order.line_count = 1;
  order.item_count = n;
  return order;
}

TEST_CASE("the admin filter names the field it refuses") {
  AdminOrderFilter filter;
  filter.channel = "ebay";
  absl::Status bad_channel = ValidateFilter(filter);
  CHECK(ReasonOf(bad_channel) == "CHANNEL_UNKNOWN");
  CHECK(FieldOf(bad_channel) == "channel");
  filter.channel = "douyin";
  CHECK(ValidateFilter(filter).ok());
  filter.created_after = kDay;
  filter.created_before = kDay;
  absl::Status bad_range = ValidateFilter(filter);
  CHECK(ReasonOf(bad_range) == "INVALID_TIME_RANGE");
  CHECK(FieldOf(bad_range) == "createdBefore");
}

TEST_CASE("filtering by pending payment includes orders being paid, and internal states cannot be asked for") {
  auto pending = StatusesShownAs(OrderStatus::kPendingPayment);
  REQUIRE(pending.ok());
  CHECK(*pending == std::vector<OrderStatus>{OrderStatus::kPendingPayment, OrderStatus::kPaying});
  CHECK(*StatusesShownAs(OrderStatus::kShipped) == std::vector<OrderStatus>{OrderStatus::kShipped});
  CHECK(ReasonOf(StatusesShownAs(OrderStatus::kFailed).status()) == "ORDER_STATUS_INVALID");
}

TEST_CASE("amounts are exported in yuan with two decimals") {
  CHECK(MajorUnits(0) == "0.00");
  CHECK(MajorUnits(5) == "0.05");
  CHECK(MajorUnits(1999) == "19.99");
  CHECK(MajorUnits(100000) == "1000.00");
  CHECK(MajorUnits(-250) == "-2.50");
}

TEST_CASE("a CSV row shows the order as the back office knows it") {
  OrderSummary order = Summary(2, OrderStatus::kPaying, "tmall");
  order.warehouse_ids = {"wh-1", "wh-2"};
  order.discount = 300;
  order.shipping_fee = 1000;
  order.points_deduction = 100;
  order.external_order_id = "TM-778";
  std::vector<std::string> row = OrderCsvRow(order);
  REQUIRE(row.size() == OrderCsvHeader().size());
  CHECK(row[0] == "o2");
  CHECK(row[1] == "2023-11-14T22:11:20Z");
  CHECK(row[2] == "PENDING_PAYMENT");
  CHECK(row[3] == "tmall");
  CHECK(row[5] == "wh-1;wh-2");
  CHECK(row[7] == "39.98");
  CHECK(row[8] == "3.00");
  CHECK(row[9] == "10.00");
  CHECK(row[10] == "1.00");
  CHECK(row[13] == "2");
  CHECK(row[14] == "TM-778");
}

TEST_CASE("the export neutralises a buyer id a spreadsheet would run as a formula") {
  InMemoryAdminQueries queries;
  OrderSummary order = Summary(1, OrderStatus::kAwaitingShipment, "jd");
  order.buyer_id = "jd:=HYPERLINK(\"http://x\",\"y\")";
  queries.orders = {order};
  OrderAdmin admin(queries, 100);
  auto exported = admin.Export({});
  REQUIRE(exported.ok());
  std::vector<std::string> lines = absl::StrSplit(exported->csv, "\r\n", absl::SkipEmpty());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind("order_id,created_at,status,channel,buyer_id,", 0) == 0);
  // Starts with "jd:" so it is no formula; quoted because of its quotes and comma.
  CHECK(lines[1].find("\"jd:=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"") != std::string::npos);
  order.buyer_id = "=cmd|' /C calc'!A0";
  queries.orders = {order};
  exported = admin.Export({});
  REQUIRE(exported.ok());
  CHECK(exported->csv.find(",'=cmd|' /C calc'!A0,") != std::string::npos);
}

TEST_CASE("the export pages through every matching order up to its row limit and says when it stopped") {
  InMemoryAdminQueries queries;
  for (int i = 1; i <= 7; ++i) queries.orders.push_back(Summary(i, OrderStatus::kPaid, i % 2 ? "web" : "app"));
  OrderAdmin admin(queries, 3);
  AdminOrderFilter filter;
  auto exported = admin.Export(filter);
  REQUIRE(exported.ok());
  CHECK(exported->rows == 3);
  CHECK(exported->truncated);
  CHECK(std::count(exported->csv.begin(), exported->csv.end(), '\n') == 4);

  filter.channel = "app";  // o2, o4, o6: exactly the limit
  exported = admin.Export(filter);
  REQUIRE(exported.ok());
  CHECK(exported->rows == 3);
  CHECK_FALSE(exported->truncated);
  CHECK(exported->csv.find("o4,") != std::string::npos);
  CHECK(exported->csv.find("o3,") == std::string::npos);
}

TEST_CASE("the admin list pages 20 by default and at most 100") {
  InMemoryAdminQueries queries;
  for (int i = 1; i <= 30; ++i) queries.orders.push_back(Summary(i, OrderStatus::kPaid, "web"));
  OrderAdmin admin(queries, 100);
  auto first = admin.List({}, 0, "");
  REQUIRE(first.ok());
  CHECK(first->orders.size() == 20);
  REQUIRE_FALSE(first->next_cursor.empty());
  auto second = admin.List({}, 500, first->next_cursor);
  REQUIRE(second.ok());
  CHECK(second->orders.size() == 10);
  CHECK(second->next_cursor.empty());
  CHECK(queries.limits.back() == 100);
  CHECK(ReasonOf(admin.List({}, -1, "").status()) == "PAGE_SIZE_NEGATIVE");
}

}  // namespace
}  // namespace zhongtai::order
