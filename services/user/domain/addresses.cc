#include "services/user/domain/addresses.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status.h"
#include "services/user/domain/rules.h"

namespace zhongtai::user {
namespace {

absl::Status AddressNotFound() { return NotFound("ADDRESS_NOT_FOUND", "no such address"); }

bool SixDigits(const std::string& code) {
  return code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

size_t Utf8Chars(const std::string& text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80 ? 1 : 0;
  return chars;
}

std::string Trimmed(const std::string& text) { return std::string(absl::StripAsciiWhitespace(text)); }

// Exactly one default while the book has addresses: `keep` (when set) is it; otherwise the current default stays,
// or, when there is none, the most recently updated address becomes it.
void SettleDefault(std::vector<Address>& book, const std::string& keep, AddressChange& change, absl::Time now) {
  auto mark = [&](Address& address, bool is_default) {
    if (address.is_default == is_default) return;
    address.is_default = is_default;
    address.updated_at = now;
    auto it = std::find_if(change.upserts.begin(), change.upserts.end(),
                           [&](const Address& a) { return a.address_id == address.address_id; });
    if (it == change.upserts.end()) {
      change.upserts.push_back(address);
    } else {
      *it = address;
    }
  };
  if (book.empty()) return;
  std::string chosen = keep;
  if (chosen.empty()) {
    for (const Address& a : book) {
      if (a.is_default) chosen = a.address_id;
    }
  }
  if (chosen.empty()) {
    chosen = std::max_element(book.begin(), book.end(), [](const Address& a, const Address& b) {
               return std::tie(a.updated_at, a.address_id) < std::tie(b.updated_at, b.address_id);
             })->address_id;
  }
  for (Address& a : book) mark(a, a.address_id == chosen);
}

}  // namespace

absl::Status ValidateRegionCodes(const std::string& province, const std::string& city, const std::string& district) {
  if (!SixDigits(province) || province.substr(2) != "0000") {
    return InvalidArgument("provinceCode", "REGION_CODE_INVALID", "a province code is 6 digits ending in 0000");
  }
  if (!SixDigits(city) || city.substr(4) != "00" || city == province) {
    return InvalidArgument("cityCode", "REGION_CODE_INVALID", "a city code is 6 digits ending in 00");
  }
  if (!SixDigits(district) || district.substr(4) == "00") {
    return InvalidArgument("districtCode", "REGION_CODE_INVALID", "a district code is 6 digits not ending in 00");
  }
  if (city.substr(0, 2) != province.substr(0, 2)) {
    return InvalidArgument("cityCode", "REGION_CODES_INCONSISTENT", "the city is not in the province");
  }
  if (district.substr(0, 4) != city.substr(0, 4)) {
    return InvalidArgument("districtCode", "REGION_CODES_INCONSISTENT", "the district is not in the city");
  }
  return absl::OkStatus();
}

absl::StatusOr<AddressInput> NormalizeAddressInput(const AddressInput& input) {
  AddressInput out = input;
  out.recipient_name = Trimmed(input.recipient_name);
  const size_t name_chars = Utf8Chars(out.recipient_name);
  if (name_chars == 0 || name_chars > static_cast<size_t>(kMaxRecipientNameChars)) {
    return InvalidArgument("recipientName", "RECIPIENT_NAME_INVALID",
                           absl::StrCat("the recipient's name has 1 to ", kMaxRecipientNameChars, " characters"));
  }
  if (input.recipient_phone.empty()) {
    return InvalidArgument("recipientPhone", "PHONE_INVALID", "the recipient's phone is required");
  }
  absl::StatusOr<std::string> phone = NormalizePhone(input.recipient_phone);
  if (!phone.ok()) return InvalidArgument("recipientPhone", "PHONE_INVALID", "the recipient's phone is not valid");
  out.recipient_phone = *phone;
  RETURN_IF_ERROR(ValidateRegionCodes(input.province_code, input.city_code, input.district_code));
  out.detail = Trimmed(input.detail);
  const size_t detail_chars = Utf8Chars(out.detail);
  if (detail_chars == 0 || detail_chars > static_cast<size_t>(kMaxAddressDetailChars)) {
    return InvalidArgument("detail", "ADDRESS_DETAIL_INVALID",
                           absl::StrCat("the street address has 1 to ", kMaxAddressDetailChars, " characters"));
  }
  return out;
}

absl::StatusOr<std::vector<Address>> AddressBook::List(const std::string& user_id) { return store_.List(user_id); }

absl::StatusOr<Address> AddressBook::Add(const std::string& user_id, const AddressInput& input,
                                         const std::string& request_id) {
  ASSIGN_OR_RETURN(AddressInput clean, NormalizeAddressInput(input));
  const absl::Time now = clock_.Now();
  const std::string new_id = ids_.NewAddressId();
  Address result;
  RETURN_IF_ERROR(store_.Update(user_id, [&](const std::vector<Address>& current) -> absl::StatusOr<AddressChange> {
    std::vector<Address> book = current;
    if (!request_id.empty()) {
      for (const Address& a : book) {
        if (a.request_id == request_id) {
          result = a;
          return AddressChange{};
        }
      }
    }
    if (static_cast<int>(book.size()) >= kMaxAddresses) {
      return FailedPrecondition("ADDRESS_BOOK_FULL",
                                absl::StrCat("at most ", kMaxAddresses, " addresses; delete one first"));
    }
    Address address;
    address.address_id = new_id;
    address.user_id = user_id;
    address.recipient_name = clean.recipient_name;
    address.recipient_phone = clean.recipient_phone;
    address.province_code = clean.province_code;
    address.city_code = clean.city_code;
    address.district_code = clean.district_code;
    address.detail = clean.detail;
    address.request_id = request_id;
    address.created_at = now;
    address.updated_at = now;
    book.push_back(address);
    AddressChange change;
    change.upserts.push_back(address);
    SettleDefault(book, clean.make_default || current.empty() ? new_id : "", change, now);
    for (const Address& a : book) {
      if (a.address_id == new_id) result = a;
    }
    return change;
  }));
  return result;
}

absl::StatusOr<Address> AddressBook::Update(const std::string& user_id, const std::string& address_id,
                                            const AddressInput& input) {
  ASSIGN_OR_RETURN(AddressInput clean, NormalizeAddressInput(input));
  const absl::Time now = clock_.Now();
  Address result;
  RETURN_IF_ERROR(store_.Update(user_id, [&](const std::vector<Address>& current) -> absl::StatusOr<AddressChange> {
    std::vector<Address> book = current;
    auto it = std::find_if(book.begin(), book.end(), [&](const Address& a) { return a.address_id == address_id; });
    if (it == book.end()) return AddressNotFound();
    it->recipient_name = clean.recipient_name;
    it->recipient_phone = clean.recipient_phone;
    it->province_code = clean.province_code;
    it->city_code = clean.city_code;
    it->district_code = clean.district_code;
    it->detail = clean.detail;
    it->updated_at = now;
    AddressChange change;
    change.upserts.push_back(*it);
    SettleDefault(book, clean.make_default ? address_id : "", change, now);
    for (const Address& a : book) {
      if (a.address_id == address_id) result = a;
    }
    return change;
  }));
  return result;
}

absl::StatusOr<Address> AddressBook::SetDefault(const std::string& user_id, const std::string& address_id) {
  const absl::Time now = clock_.Now();
  Address result;
  RETURN_IF_ERROR(store_.Update(user_id, [&](const std::vector<Address>& current) -> absl::StatusOr<AddressChange> {
    std::vector<Address> book = current;
    auto it = std::find_if(book.begin(), book.end(), [&](const Address& a) { return a.address_id == address_id; });
    if (it == book.end()) return AddressNotFound();
    AddressChange change;
    SettleDefault(book, address_id, change, now);
    for (const Address& a : book) {
      if (a.address_id == address_id) result = a;
    }
    return change;
  }));
  return result;
}

absl::Status AddressBook::Delete(const std::string& user_id, const std::string& address_id) {
  const absl::Time now = clock_.Now();
  return store_.Update(user_id, [&](const std::vector<Address>& current) -> absl::StatusOr<AddressChange> {
    std::vector<Address> book;
    AddressChange change;
    for (const Address& a : current) {
      if (a.address_id == address_id) {
        change.deletes.push_back(address_id);
      } else {
        book.push_back(a);
      }
    }
    if (change.deletes.empty()) return change;  // gone already
    SettleDefault(book, "", change, now);
    return change;
  });
}

absl::StatusOr<Address> AddressBook::Get(const std::string& user_id, const std::string& address_id) {
  ASSIGN_OR_RETURN(std::vector<Address> book, store_.List(user_id));
  for (const Address& a : book) {
    if (a.address_id == address_id) return a;
  }
  return AddressNotFound();
}

}  // namespace zhongtai::user
