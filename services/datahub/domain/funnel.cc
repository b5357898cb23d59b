#include "services/datahub/domain/funnel.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

double Ratio(int64_t part, int64_t whole) {
  return whole <= 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// The latest journey whose window holds t.
Journey* JourneyHolding(std::vector<Journey>* journeys, absl::Time t, absl::Duration window) {
  Journey* found = nullptr;
  for (Journey& journey : *journeys) {
    if (journey.started_at <= t && t < journey.started_at + window &&
        (found == nullptr || journey.started_at > found->started_at)) {
      found = &journey;
    }
  }
  return found;
}

}  // namespace

std::optional<FunnelStep> StepOf(BehaviourEventType type) {
  switch (type) {
    case BehaviourEventType::kView: return FunnelStep::kView;
    case BehaviourEventType::kAddToCart: return FunnelStep::kAddToCart;
    case BehaviourEventType::kCheckout: return FunnelStep::kCheckout;
    default: return std::nullopt;
  }
}

std::string VisitorOf(const std::string& user_id, const std::string& device_id) {
  return user_id.empty() ? "d:" + device_id : "u:" + user_id;
}

void FoldSteps(std::vector<StepEvent> events, absl::Duration window, std::vector<Journey>* journeys) {
  std::stable_sort(events.begin(), events.end(), [](const StepEvent& a, const StepEvent& b) {
    if (a.at != b.at) return a.at < b.at;
    return a.step == FunnelStep::kView && b.step != FunnelStep::kView;
  });
  for (const StepEvent& event : events) {
    Journey* journey = JourneyHolding(journeys, event.at, window);
    if (event.step == FunnelStep::kView) {
      if (journey != nullptr) continue;
      Journey started;
      started.visitor = event.visitor;
      started.started_at = event.at;
      started.channel = event.channel;
      started.changed = true;
      journeys->push_back(std::move(started));
      continue;
    }
    if (journey == nullptr) continue;
    std::optional<absl::Time>& at = journey->step_at[static_cast<int>(event.step) - 1];
    if (!at.has_value() || event.at < *at) {
      at = event.at;
      journey->changed = true;
    }
  }
}

int StepsReached(const Journey& journey, absl::Duration window) {
  int reached = 1;
  absl::Time previous = journey.started_at;
  for (const std::optional<absl::Time>& at : journey.step_at) {
    if (!at.has_value() || *at < previous || *at >= journey.started_at + window) break;
    previous = *at;
    ++reached;
  }
  return reached;
}

std::vector<FunnelStepFigures> FunnelFigures(const std::array<int64_t, kFunnelSteps>& reached) {
  std::vector<FunnelStepFigures> steps;
  for (int k = 0; k < kFunnelSteps; ++k) {
    FunnelStepFigures figures;
    figures.step = static_cast<FunnelStep>(k);
    figures.journeys = reached[k];
    figures.conversion_from_start = Ratio(reached[k], reached[0]);
    if (k == 0) {
      figures.conversion_from_previous = reached[0] > 0 ? 1.0 : 0.0;
    } else {
      figures.conversion_from_previous = Ratio(reached[k], reached[k - 1]);
      figures.dropped = reached[k - 1] - reached[k];
    }
    steps.push_back(figures);
  }
  return steps;
}

absl::StatusOr<FunnelReport> FunnelAnalytics::GetFunnel(FunnelQuery query) {
  if (query.end_time <= query.start_time) {
    return InvalidArgument("endTime", "INVALID_TIME_RANGE", "end_time must be after start_time");
  }
  if (query.window == absl::ZeroDuration()) query.window = journey_window_;
  if (query.window < absl::ZeroDuration() || query.window > journey_window_) {
    return InvalidArgument("window", "FUNNEL_WINDOW_INVALID",
                           absl::StrCat("window must be positive and at most ", absl::FormatDuration(journey_window_)));
  }
  ASSIGN_OR_RETURN(auto by_channel, store_.ReachedByChannel(query));
  FunnelReport report;
  report.query = query;
  std::array<int64_t, kFunnelSteps> total{};
  for (const auto& [channel, reached] : by_channel) {
    for (int k = 0; k < kFunnelSteps; ++k) total[k] += reached[k];
    report.by_channel[channel] = FunnelFigures(reached);
  }
  report.steps = FunnelFigures(total);
  return report;
}

}  // namespace zhongtai::datahub
