#include "services/marketing/domain/experiment.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/marketing/domain/page_tokens.h"

namespace zhongtai::marketing {
namespace {

absl::Status Invalid(const std::string& field, const char* reason, const std::string& message) {
  return InvalidArgument(field, reason, message);
}

bool IsCurrencyCode(const std::string& code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

absl::Status ValidateArmPrices(const ExperimentArm& arm, const std::string& at) {
  if (arm.prices.size() > kMaxArmPrices) {
    return Invalid(at + ".prices", "EXPERIMENT_ARMS_INVALID", "at most 100 prices per arm");
  }
  std::set<std::string> skus;
  for (size_t j = 0; j < arm.prices.size(); ++j) {
    const ArmPrice& price = arm.prices[j];
    const std::string field = absl::StrCat(at, ".prices[", j, "]");
    if (price.sku_id.empty() || price.sku_id.size() > 100 || !skus.insert(price.sku_id).second) {
      return Invalid(field + ".skuId", "EXPERIMENT_ARMS_INVALID", "SKU ids are 1 to 100 bytes, one price each per arm");
    }
    if (!IsCurrencyCode(price.currency)) {
      return Invalid(field + ".price.currency", "CURRENCY_INVALID", "currency must be an ISO 4217 code");
    }
    if (price.price < 0) {
      return Invalid(field + ".price.amountMinor", "ARM_PRICE_NEGATIVE", "an arm price must not be negative");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateExperiment(const Experiment& e) {
  if (e.name.empty() || e.name.size() > 100) {
    return Invalid("experiment.name", "NAME_MISSING", "name is 1 to 100 bytes");
  }
  if (e.end_time <= e.start_time) return Invalid("experiment.endTime", "END_BEFORE_START", "end must be after start");
  if (e.arms.size() < 2 || e.arms.size() > kMaxArms) {
    return Invalid("experiment.arms", "EXPERIMENT_ARMS_INVALID", "an experiment has 2 to 10 arms");
  }
  int64_t total = 0;
  std::set<std::string> names;
  std::set<std::string> promotions;
  for (size_t i = 0; i < e.arms.size(); ++i) {
    const ExperimentArm& arm = e.arms[i];
    const std::string at = absl::StrCat("experiment.arms[", i, "]");
    if (arm.name.empty() || arm.name.size() > 64 || !names.insert(arm.name).second) {
      return Invalid(at + ".name", "EXPERIMENT_ARMS_INVALID", "arm names are 1 to 64 bytes and distinct");
    }
    if (arm.traffic_bp <= 0 || arm.traffic_bp > kTrafficBuckets) {
      return Invalid(at + ".trafficBp", "EXPERIMENT_TRAFFIC_INVALID", "each arm gets 1 to 10000 basis points");
    }
    total += arm.traffic_bp;
    if (arm.promotion_ids.size() > 100) {
      return Invalid(at + ".promotionIds", "EXPERIMENT_ARMS_INVALID", "at most 100 promotions per arm");
    }
    for (const std::string& id : arm.promotion_ids) {
      if (id.empty() || !promotions.insert(id).second) {
        return Invalid(at + ".promotionIds", "EXPERIMENT_ARMS_INVALID", "a promotion belongs to one arm at most");
      }
    }
    RETURN_IF_ERROR(ValidateArmPrices(arm, at));
  }
  if (total != kTrafficBuckets) {
    return Invalid("experiment.arms", "EXPERIMENT_TRAFFIC_INVALID", "the arms' shares sum to 10000 basis points");
  }
  return absl::OkStatus();
}

absl::Status CheckArmPrices(const Experiment& e, const std::map<std::string, SkuFacts>& skus) {
  for (size_t i = 0; i < e.arms.size(); ++i) {
    for (size_t j = 0; j < e.arms[i].prices.size(); ++j) {
      const ArmPrice& price = e.arms[i].prices[j];
      const std::string field = absl::StrCat("experiment.arms[", i, "].prices[", j, "]");
      auto it = skus.find(price.sku_id);
      if (it == skus.end() || !it->second.found) {
        return Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND",
                     absl::StrCat("sku ", price.sku_id, " does not exist"), field + ".skuId");
      }
      const SkuFacts& sku = it->second;
      if (!sku.on_sale) {
        return Error(absl::StatusCode::kFailedPrecondition, "SKU_NOT_ON_SALE",
                     absl::StrCat("sku ", price.sku_id, " is not on sale"), field + ".skuId");
      }
      if (sku.currency != price.currency) {
        return Invalid(field + ".price.currency", "CURRENCY_MISMATCH",
                       absl::StrCat("the SKU's list price is in ", sku.currency));
      }
      if (price.price > sku.list_price) {
        return Invalid(field + ".price.amountMinor", "ARM_PRICE_ABOVE_LIST_PRICE",
                       absl::StrCat("an arm price may not exceed the SKU's list price (", sku.list_price, ")"));
      }
    }
  }
  return absl::OkStatus();
}

int32_t ArmBucket(const std::string& experiment_id, const std::string& user_id) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : absl::StrCat(experiment_id, ":", user_id)) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<int32_t>(hash % kTrafficBuckets);
}

const ExperimentArm& AssignArm(const Experiment& e, const std::string& user_id) {
  int32_t bucket = ArmBucket(e.experiment_id, user_id);
  int32_t upper = 0;
  for (const ExperimentArm& arm : e.arms) {
    upper += arm.traffic_bp;
    if (bucket < upper) return arm;
  }
  return e.arms.back();
}

ExperimentView ViewFor(const std::vector<Experiment>& running, const std::string& user_id) {
  ExperimentView view;
  for (const Experiment& e : running) {
    if (e.arms.empty()) continue;
    const ExperimentArm* mine = user_id.empty() ? nullptr : &AssignArm(e, user_id);
    for (const ExperimentArm& arm : e.arms) {
      if (&arm == mine) continue;
      view.withheld_promotion_ids.insert(arm.promotion_ids.begin(), arm.promotion_ids.end());
    }
    if (mine == nullptr) continue;
    view.exposures.push_back({e.experiment_id, mine->name});
    for (const ArmPrice& price : mine->prices) {
      ArmPriceFor candidate{e.experiment_id, mine->name, price.currency, price.price};
      auto [it, inserted] = view.prices.emplace(price.sku_id, candidate);
      if (inserted) continue;
      const ArmPriceFor& held = it->second;
      if (std::make_tuple(candidate.price, candidate.experiment_id) < std::make_tuple(held.price, held.experiment_id)) {
        it->second = std::move(candidate);
      }
    }
  }
  return view;
}

std::vector<LinePriceOrigin> ApplyArmPrices(const ExperimentView& view, std::vector<QuoteLineInput>& lines) {
  std::vector<LinePriceOrigin> origins(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    QuoteLineInput& line = lines[i];
    LinePriceOrigin& origin = origins[i];
    origin.catalog_unit_price = line.unit_price;
    auto it = view.prices.find(line.sku_id);
    if (it == view.prices.end()) continue;
    const ArmPriceFor& arm = it->second;
    const std::string currency = line.currency.empty() ? "CNY" : line.currency;
    if (arm.currency != currency || arm.price >= line.unit_price) continue;
    origin.experiment = true;
    origin.experiment_id = arm.experiment_id;
    origin.arm = arm.arm;
    line.unit_price = arm.price;
    line.member_price = false;
  }
  return origins;
}

absl::StatusOr<Experiment> Experiments::Create(Experiment e, const std::string& request_id) {
  if (request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required");
  }
  if (request_id.size() > 200) return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "request id is too long");
  RETURN_IF_ERROR(ValidateExperiment(e));
  std::vector<std::string> priced;
  for (const ExperimentArm& arm : e.arms) {
    for (const ArmPrice& price : arm.prices) priced.push_back(price.sku_id);
  }
  if (!priced.empty()) {
    if (skus_ == nullptr) {
      return FailedPrecondition("PRODUCT_CENTER_UNAVAILABLE", "arm prices need the product center's list prices");
    }
    std::sort(priced.begin(), priced.end());
    priced.erase(std::unique(priced.begin(), priced.end()), priced.end());
    ASSIGN_OR_RETURN(auto facts, skus_->Get(priced, ShipTo{}));
    RETURN_IF_ERROR(CheckArmPrices(e, facts));
  }
  e.experiment_id = ids_.NewExperimentId();
  e.request_id = request_id;
  e.created_at = clock_.Now();
  ASSIGN_OR_RETURN(ExperimentStore::CreateResult result, store_.Create(e));
  if (result.created) log::Info("experiment created", {{"experiment_id", result.experiment.experiment_id}});
  return std::move(result.experiment);
}

absl::StatusOr<ExperimentPage> Experiments::List(int page_size, const std::string& page_token) {
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  int limit = page_size == 0 ? 20 : std::min(page_size, 100);
  std::string before_id;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(before_id, DecodeIdToken(kExperimentTokenPrefix, page_token));
  }
  ASSIGN_OR_RETURN(std::vector<Experiment> found, store_.List(before_id, limit + 1));
  ExperimentPage page;
  if (static_cast<int>(found.size()) > limit) {
    found.resize(limit);
    page.next_page_token = EncodeIdToken(kExperimentTokenPrefix, found.back().experiment_id);
  }
  page.experiments = std::move(found);
  return page;
}

absl::StatusOr<ExperimentView> Experiments::ForQuote(const std::string& user_id) {
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(std::vector<Experiment> running, store_.ListRunning(now));
  ExperimentView view = ViewFor(running, user_id);
  for (const Exposure& exposure : view.exposures) {
    if (absl::Status recorded = store_.RecordExposure(exposure, user_id, now); !recorded.ok()) {
      log::Error("experiment exposure not recorded",
                 {{"experiment_id", exposure.experiment_id}, {"error", recorded.ToString()}});
    }
  }
  return view;
}

}  // namespace zhongtai::marketing
