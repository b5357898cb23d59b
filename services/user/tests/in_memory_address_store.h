// AddressStore in memory, for unit tests: one mutex plays the per-customer lock.
#pragma once

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/user/domain/addresses.h"

namespace zhongtai::user::testing {

class InMemoryAddressStore : public AddressStore {
 public:
  absl::StatusOr<std::vector<Address>> List(const std::string& user_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return ListLocked(user_id);
  }
  absl::Status Update(const std::string& user_id, const AddressDecision& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(AddressChange change, decide(ListLocked(user_id)));
    for (const Address& a : change.upserts) addresses_[a.address_id] = a;
    for (const std::string& id : change.deletes) addresses_.erase(id);
    return absl::OkStatus();
  }

 private:
  std::vector<Address> ListLocked(const std::string& user_id) {
    std::vector<Address> out;
    for (const auto& [id, a] : addresses_) {
      if (a.user_id == user_id) out.push_back(a);
    }
    std::sort(out.begin(), out.end(), [](const Address& a, const Address& b) {
      return std::make_tuple(!a.is_default, b.created_at, a.address_id) <
             std::make_tuple(!b.is_default, a.created_at, b.address_id);
    });
    return out;
  }

  std::mutex mu_;
  std::map<std::string, Address> addresses_;
};

class SequentialAddressIds : public AddressIds {
 public:
  std::string NewAddressId() override { return absl::StrCat("addr_", ++next_); }

 private:
  std::atomic<int> next_{0};
};

}  // namespace zhongtai::user::testing
