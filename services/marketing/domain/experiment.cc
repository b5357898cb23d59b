#include "services/marketing/domain/experiment.h"

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
  }
  if (total != kTrafficBuckets) {
    return Invalid("experiment.arms", "EXPERIMENT_TRAFFIC_INVALID", "the arms' shares sum to 10000 basis points");
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
    if (mine != nullptr) view.exposures.push_back({e.experiment_id, mine->name});
  }
  return view;
}

absl::StatusOr<Experiment> Experiments::Create(Experiment e, const std::string& request_id) {
  if (request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required");
  }
  if (request_id.size() > 200) return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "request id is too long");
  RETURN_IF_ERROR(ValidateExperiment(e));
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
