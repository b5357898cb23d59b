// The address book's rules on the in-memory store: region codes, one default, the limit, idempotent creation.
#include "services/user/domain/addresses.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/user/tests/in_memory_address_store.h"

namespace zhongtai::user {
namespace {

AddressInput Shanghai(const std::string& detail = "漕溪北路 88 号") {
  AddressInput input;
  input.recipient_name = " 张三 ";
  input.recipient_phone = "138-0013-8000";
  input.province_code = "310000";
  input.city_code = "310100";
  input.district_code = "310104";
  input.detail = detail;
  return input;
}

struct Fixture {
  testing::InMemoryAddressStore store;
  testing::SequentialAddressIds ids;
  FakeClock clock;
  AddressBook book{store, ids, clock};

  Address Add(const AddressInput& input, const std::string& request_id = "") {
    clock.Advance(absl::Seconds(1));
    auto added = book.Add("u1", input, request_id);
    INFO(added.status().ToString());
    REQUIRE(added.ok());
    return *added;
  }
  std::string DefaultId(const std::string& user = "u1") {
    std::string id;
    int defaults = 0;
    std::vector<Address> addresses = *book.List(user);
    for (const Address& a : addresses) {
      if (a.is_default) {
        id = a.address_id;
        ++defaults;
      }
    }
    CHECK(defaults == 1);
    return id;
  }
};

}  // namespace

TEST_CASE("region codes are 6 digits and nest province > city > district") {
  CHECK(ValidateRegionCodes("310000", "310100", "310104").ok());
  CHECK(ValidateRegionCodes("110000", "110100", "110105").ok());
  CHECK(FieldOf(ValidateRegionCodes("31000", "310100", "310104")) == "provinceCode");
  CHECK(ReasonOf(ValidateRegionCodes("310100", "310100", "310104")) == "REGION_CODE_INVALID");
  CHECK(FieldOf(ValidateRegionCodes("310000", "310000", "310104")) == "cityCode");
  CHECK(FieldOf(ValidateRegionCodes("310000", "310100", "310100")) == "districtCode");
  absl::Status city_elsewhere = ValidateRegionCodes("310000", "320100", "320102");
  CHECK(ReasonOf(city_elsewhere) == "REGION_CODES_INCONSISTENT");
  CHECK(FieldOf(city_elsewhere) == "cityCode");
  CHECK(ReasonOf(ValidateRegionCodes("310000", "310100", "310204")) == "REGION_CODES_INCONSISTENT");
  CHECK(ReasonOf(ValidateRegionCodes("31000a", "310100", "310104")) == "REGION_CODE_INVALID");
}

TEST_CASE("addresses are checked and normalised") {
  Fixture f;
  Address added = f.Add(Shanghai());
  CHECK(added.recipient_name == "张三");
  CHECK(added.recipient_phone == "13800138000");
  AddressInput bad = Shanghai();
  bad.recipient_name = "  ";
  CHECK(ReasonOf(f.book.Add("u1", bad, "").status()) == "RECIPIENT_NAME_INVALID");
  bad = Shanghai();
  bad.recipient_phone = "12";
  CHECK(FieldOf(f.book.Add("u1", bad, "").status()) == "recipientPhone");
  bad = Shanghai("");
  CHECK(ReasonOf(f.book.Add("u1", bad, "").status()) == "ADDRESS_DETAIL_INVALID");
  CHECK(f.book.List("u1")->size() == 1);
}

TEST_CASE("the book has exactly one default while it has addresses") {
  Fixture f;
  Address first = f.Add(Shanghai("a"));
  CHECK(first.is_default);
  Address second = f.Add(Shanghai("b"));
  CHECK(!second.is_default);
  CHECK(f.DefaultId() == first.address_id);
  AddressInput make_default = Shanghai("c");
  make_default.make_default = true;
  Address third = f.Add(make_default);
  CHECK(third.is_default);
  CHECK(f.DefaultId() == third.address_id);
  CHECK(f.book.SetDefault("u1", second.address_id)->is_default);
  CHECK(f.DefaultId() == second.address_id);
  CHECK(f.book.List("u1")->front().address_id == second.address_id);  // the default first
  // Deleting the default hands it to the most recently updated address.
  REQUIRE(f.book.Delete("u1", second.address_id).ok());
  CHECK(f.DefaultId() == third.address_id);
  REQUIRE(f.book.Delete("u1", second.address_id).ok());  // a retried delete
  REQUIRE(f.book.Delete("u1", third.address_id).ok());
  REQUIRE(f.book.Delete("u1", first.address_id).ok());
  CHECK(f.book.List("u1")->empty());
}

TEST_CASE("another customer's address is not found, and editing it changes nothing") {
  Fixture f;
  Address mine = f.Add(Shanghai());
  CHECK(ReasonOf(f.book.Update("u2", mine.address_id, Shanghai("x")).status()) == "ADDRESS_NOT_FOUND");
  CHECK(ReasonOf(f.book.SetDefault("u2", mine.address_id).status()) == "ADDRESS_NOT_FOUND");
  CHECK(ReasonOf(f.book.Get("u2", mine.address_id).status()) == "ADDRESS_NOT_FOUND");
  REQUIRE(f.book.Delete("u2", mine.address_id).ok());
  CHECK(f.book.Get("u1", mine.address_id)->detail == "漕溪北路 88 号");
  auto updated = f.book.Update("u1", mine.address_id, Shanghai("新地址"));
  REQUIRE(updated.ok());
  CHECK(updated->detail == "新地址");
  CHECK(updated->is_default);
}

TEST_CASE("at most 20 addresses, and creation is once per request id") {
  Fixture f;
  Address first = f.Add(Shanghai("0"), "req-0");
  Address again = f.Add(Shanghai("0"), "req-0");
  CHECK(again.address_id == first.address_id);
  for (int i = 1; i < kMaxAddresses; ++i) f.Add(Shanghai(std::to_string(i)), "req-" + std::to_string(i));
  CHECK(f.book.List("u1")->size() == 20);
  auto full = f.book.Add("u1", Shanghai("21"), "req-21");
  CHECK(full.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(full.status()) == "ADDRESS_BOOK_FULL");
  CHECK(f.book.Add("u1", Shanghai("0"), "req-0")->address_id == first.address_id);  // a replay still answers
}

}  // namespace zhongtai::user
