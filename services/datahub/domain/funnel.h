// The conversion funnel view -> add to cart -> checkout -> order -> pay: how a visitor's steps become journeys, which
// steps a journey reached within a window, and the conversion figures of a funnel. Plain C++: no protobuf or SQL.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/datahub/domain/behaviour_events.h"

namespace zhongtai::datahub {

enum class FunnelStep { kView = 0, kAddToCart = 1, kCheckout = 2, kOrder = 3, kPay = 4 };
inline constexpr int kFunnelSteps = 5;

// The funnel step of a behaviour event type; nullopt for types outside the funnel (search, click, share).
std::optional<FunnelStep> StepOf(BehaviourEventType type);

// Who walks the funnel: "u:<user id>" when signed in, "d:<device id>" otherwise. Orders and payments are the
// user's, so a signed-out visitor's journey ends at checkout at the latest.
std::string VisitorOf(const std::string& user_id, const std::string& device_id);

// One step a visitor took.
struct StepEvent {
  std::string visitor;
  FunnelStep step = FunnelStep::kView;
  absl::Time at;
  std::string channel;  // views: the journey's channel
};

// A journey starts at a view that falls in no earlier journey of the visitor ([started_at, started_at + window))
// and keeps, for each later step, the first time it happened inside that window. `window` is fixed when the
// journeys are built (ZT_DATAHUB_FUNNEL_WINDOW); a query may look at a shorter one.
struct Journey {
  std::string visitor;
  absl::Time started_at;
  std::string channel;
  // Index FunnelStep - 1: add to cart, checkout, order, pay.
  std::array<std::optional<absl::Time>, kFunnelSteps - 1> step_at;
  bool changed = false;  // set by FoldSteps when it created or moved something
};

// Folds `events` into `journeys` (the visitor's journeys that may hold them, any order). Events are taken in time
// order, a view before another step at the same instant. A view inside a journey changes nothing; a view outside
// every journey starts one; another step joins the latest journey whose window holds it (and is dropped when none
// does), keeping the earliest time per step. Folding the same events again changes nothing.
void FoldSteps(std::vector<StepEvent> events, absl::Duration window, std::vector<Journey>* journeys);

// How many steps of the funnel the journey reached within `window` of its start (1 = viewed only, 5 = paid): step
// k counts when step k-1 counted and its first time is at or after step k-1's and before started_at + window.
int StepsReached(const Journey& journey, absl::Duration window);

// One step of a funnel report.
struct FunnelStepFigures {
  FunnelStep step = FunnelStep::kView;
  int64_t journeys = 0;                 // journeys that reached it
  double conversion_from_previous = 0;  // journeys / the previous step's (1 for the first step; 0 when it had none)
  double conversion_from_start = 0;     // journeys / the views'
  int64_t dropped = 0;                  // reached the previous step but not this one (0 for the first)
};

// reached[k] = journeys that reached step k (so non-increasing); the per-step figures.
std::vector<FunnelStepFigures> FunnelFigures(const std::array<int64_t, kFunnelSteps>& reached);

struct FunnelQuery {
  absl::Time start_time;  // journeys started in [start_time, end_time)
  absl::Time end_time;
  absl::Duration window;  // at most the journeys' own window
  std::string channel;    // empty: every channel
};

struct FunnelReport {
  FunnelQuery query;
  std::vector<FunnelStepFigures> steps;
  std::map<std::string, std::vector<FunnelStepFigures>> by_channel;
};

class FunnelStore {
 public:
  virtual ~FunnelStore() = default;
  // Journeys that reached each step (as StepsReached counts them), per channel of the journey, for `query`.
  virtual absl::StatusOr<std::map<std::string, std::array<int64_t, kFunnelSteps>>> ReachedByChannel(
      const FunnelQuery& query) = 0;
};

class FunnelAnalytics {
 public:
  FunnelAnalytics(FunnelStore& store, absl::Duration journey_window) : store_(store), journey_window_(journey_window) {}
  absl::Duration journey_window() const { return journey_window_; }

  // INVALID_ARGUMENT: endTime not after startTime (INVALID_TIME_RANGE); window not positive or longer than the
  // journeys' window (FUNNEL_WINDOW_INVALID). A zero window means the journeys' window.
  absl::StatusOr<FunnelReport> GetFunnel(FunnelQuery query);

 private:
  FunnelStore& store_;
  absl::Duration journey_window_;
};

}  // namespace zhongtai::datahub
