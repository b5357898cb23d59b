// The Advertising Law word list as admins keep it, and the check of a listing against the list in force.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "services/product/domain/catalogue_ports.h"
#include "services/product/domain/compliance.h"

namespace zhongtai::product {

class ListingCompliance {
 public:
  ListingCompliance(CatalogueStore& store, Clock& clock) : store_(store), clock_(clock) {}

  absl::StatusOr<ComplianceWordList> Words();
  // Validates (ValidateWordList) and stores `words` as the next version, in force at once.
  absl::StatusOr<ComplianceWordList> ReplaceWords(const std::vector<ComplianceWord>& words);
  // Checks against the newest list; the compiled automaton is kept until the list's version changes.
  absl::StatusOr<ComplianceReport> Check(const ListingFields& fields);

 private:
  absl::StatusOr<std::shared_ptr<const ComplianceChecker>> Current();

  CatalogueStore& store_;
  Clock& clock_;
  std::mutex mu_;
  std::shared_ptr<const ComplianceChecker> checker_;
};

}  // namespace zhongtai::product
