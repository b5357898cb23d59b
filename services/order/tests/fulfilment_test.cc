// The fulfilment rules that need no database: which orders share a parcel (合单) and when an order counts as shipped.
// The whole flow (ship, merge, tracking callbacks, confirmation, auto-confirmation) runs against PostgreSQL in
// pg_shipment_store_test.cc.
#include "services/order/domain/fulfilment.h"

#include <catch2/catch.hpp>

namespace zhongtai::order {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Order Awaiting(const std::string& id, absl::Time placed, const std::string& warehouse = "wh-sh") {
  Order order;
  order.order_id = id;
  order.user_id = "u1";
  order.status = OrderStatus::kAwaitingShipment;
  order.created_at = placed;
  order.warehouse_id = warehouse;
  order.address = {"addr-1", "Li Lei", "13800000000", "440000", "440300", "440305", "Keyuan Rd 1"};
  return order;
}

ChildOrder Child(const std::string& id, const std::string& warehouse) {
  ChildOrder child;
  child.child_order_id = id;
  child.warehouse_id = warehouse;
  return child;
}

std::vector<std::string> Ids(const std::vector<Order>& orders) {
  std::vector<std::string> ids;
  for (const Order& order : orders) ids.push_back(order.order_id);
  return ids;
}

TEST_CASE("orders of one buyer to the same address from the same warehouse placed within the window share a parcel") {
  Order anchor = Awaiting("o1", kT0);
  Order same = Awaiting("o2", kT0 + absl::Hours(3));
  Order earlier = Awaiting("o3", kT0 - absl::Hours(20));
  Order too_late = Awaiting("o4", kT0 + absl::Hours(25));
  Order other_address = Awaiting("o5", kT0 + absl::Hours(1));
  other_address.address.detail = "Keyuan Rd 2";
  Order other_recipient = Awaiting("o6", kT0 + absl::Hours(1));
  other_recipient.address.recipient_name = "Han Meimei";
  Order other_warehouse = Awaiting("o7", kT0 + absl::Hours(1), "wh-bj");
  Order other_buyer = Awaiting("o8", kT0 + absl::Hours(1));
  other_buyer.user_id = "u2";
  Order not_paid_through = Awaiting("o9", kT0 + absl::Hours(1));
  not_paid_through.status = OrderStatus::kPaid;
  // A split order whose Shanghai part is still waiting may join the Shanghai parcel.
  Order split = Awaiting("o10", kT0 + absl::Hours(2), "");
  split.children = {Child("o10-1", "wh-bj"), Child("o10-2", "wh-sh")};

  std::vector<Order> candidates = {
      anchor,          same,        earlier,          too_late, other_address, other_recipient,
      other_warehouse, other_buyer, not_paid_through, split};
  CHECK(Ids(SelectMergeable(anchor, "wh-sh", candidates, absl::Hours(24))) ==
        std::vector<std::string>{"o2", "o3", "o10"});
  // A shorter window keeps only the close ones.
  CHECK(Ids(SelectMergeable(anchor, "wh-sh", candidates, absl::Hours(2))) == std::vector<std::string>{"o10"});
  // A zero window merges nothing.
  CHECK(SelectMergeable(anchor, "wh-sh", candidates, absl::ZeroDuration()).empty());
}

TEST_CASE("an order counts as shipped only once every warehouse part is in a parcel") {
  Order single = Awaiting("o1", kT0);
  CHECK(WarehousesOf(single) == std::vector<std::string>{"wh-sh"});
  CHECK(AllPartsShipped(WarehousesOf(single), {"wh-sh"}));
  CHECK_FALSE(AllPartsShipped(WarehousesOf(single), {}));

  Order split = Awaiting("o2", kT0, "");
  split.children = {Child("o2-1", "wh-bj"), Child("o2-2", "wh-sh")};
  CHECK(WarehousesOf(split) == std::vector<std::string>{"wh-bj", "wh-sh"});
  CHECK_FALSE(AllPartsShipped(WarehousesOf(split), {"wh-sh"}));
  CHECK(AllPartsShipped(WarehousesOf(split), {"wh-sh", "wh-bj"}));
}

}  // namespace
}  // namespace zhongtai::order
