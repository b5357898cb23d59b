#include "services/product/domain/listing_compliance.h"

#include "common/status/status.h"

namespace zhongtai::product {

absl::StatusOr<ComplianceWordList> ListingCompliance::Words() { return store_.GetComplianceWords(); }

absl::StatusOr<ComplianceWordList> ListingCompliance::ReplaceWords(const std::vector<ComplianceWord>& words) {
  RETURN_IF_ERROR(ValidateWordList(words));
  return store_.ReplaceComplianceWords(words, clock_.Now());
}

absl::StatusOr<ComplianceReport> ListingCompliance::Check(const ListingFields& fields) {
  ASSIGN_OR_RETURN(std::shared_ptr<const ComplianceChecker> checker, Current());
  return checker->Check(fields);
}

absl::StatusOr<std::shared_ptr<const ComplianceChecker>> ListingCompliance::Current() {
  ASSIGN_OR_RETURN(int64_t version, store_.ComplianceWordsVersion());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (checker_ != nullptr && checker_->version() == version) return checker_;
  }
  ASSIGN_OR_RETURN(ComplianceWordList list, store_.GetComplianceWords());
  auto checker = std::make_shared<const ComplianceChecker>(std::move(list));
  std::lock_guard<std::mutex> lock(mu_);
  if (checker_ == nullptr || checker_->version() < checker->version()) checker_ = checker;
  return checker;
}

}  // namespace zhongtai::product
