// The address book: up to 20 delivery addresses per customer, exactly one default while any exist, with the
// national administrative region codes (province / city / district) that regional sourcing and carrier rules use.
// An order keeps a snapshot (GetAddress), so editing or deleting an address never changes a placed order.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"

namespace zhongtai::user {

inline constexpr int kMaxAddresses = 20;
inline constexpr int kMaxRecipientNameChars = 32;
inline constexpr int kMaxAddressDetailChars = 200;

struct Address {
  std::string address_id;
  std::string user_id;
  std::string recipient_name;
  std::string recipient_phone;  // normalised
  std::string province_code;    // e.g. "310000"
  std::string city_code;        // e.g. "310100"
  std::string district_code;    // e.g. "310104"
  std::string detail;           // street, building, room
  bool is_default = false;
  std::string request_id;  // the creating request's idempotency key
  absl::Time created_at;
  absl::Time updated_at;
};

struct AddressInput {
  std::string recipient_name;
  std::string recipient_phone;
  std::string province_code;
  std::string city_code;
  std::string district_code;
  std::string detail;
  bool make_default = false;
};

// 6 digits each; the province ends in 0000; the city shares the province's first 2 digits and ends in 00; the
// district shares the city's first 4 and does not end in 00. INVALID_ARGUMENT REGION_CODE_INVALID or
// REGION_CODES_INCONSISTENT naming the field.
absl::Status ValidateRegionCodes(const std::string& province, const std::string& city, const std::string& district);
// The input checked and normalised (trimmed name and detail, normalised phone).
absl::StatusOr<AddressInput> NormalizeAddressInput(const AddressInput& input);

// What one change of a customer's book writes.
struct AddressChange {
  std::vector<Address> upserts;
  std::vector<std::string> deletes;
};
using AddressDecision = std::function<absl::StatusOr<AddressChange>(const std::vector<Address>& book)>;

class AddressStore {
 public:
  virtual ~AddressStore() = default;
  // The customer's addresses, the default first, then the newest.
  virtual absl::StatusOr<std::vector<Address>> List(const std::string& user_id) = 0;
  // Atomically, one change of a customer's book at a time (a lock per customer): loads the book, runs
  // `decide` and writes its change.
  virtual absl::Status Update(const std::string& user_id, const AddressDecision& decide) = 0;
};

class AddressIds {
 public:
  virtual ~AddressIds() = default;
  virtual std::string NewAddressId() = 0;
};

class AddressBook {
 public:
  AddressBook(AddressStore& store, AddressIds& ids, Clock& clock) : store_(store), ids_(ids), clock_(clock) {}

  absl::StatusOr<std::vector<Address>> List(const std::string& user_id);
  // The first address becomes the default; make_default moves the default here. Once per request id: a replay
  // answers the address it made. FAILED_PRECONDITION ADDRESS_BOOK_FULL at kMaxAddresses.
  absl::StatusOr<Address> Add(const std::string& user_id, const AddressInput& input, const std::string& request_id);
  // Replaces the fields; make_default moves the default here (an update never unsets the default: set another
  // address as default instead). NOT_FOUND ADDRESS_NOT_FOUND, also for another customer's address.
  absl::StatusOr<Address> Update(const std::string& user_id, const std::string& address_id, const AddressInput& input);
  absl::StatusOr<Address> SetDefault(const std::string& user_id, const std::string& address_id);
  // Deleting the default makes the most recently updated remaining address the default. Deleting an address
  // that is gone already is OK (a retried delete).
  absl::Status Delete(const std::string& user_id, const std::string& address_id);
  // One address of the customer, as an order snapshots it. NOT_FOUND ADDRESS_NOT_FOUND.
  absl::StatusOr<Address> Get(const std::string& user_id, const std::string& address_id);

 private:
  AddressStore& store_;
  AddressIds& ids_;
  Clock& clock_;
};

}  // namespace zhongtai::user
