// A saga of asynchronous steps: each step starts when the one before it succeeded; when a step fails, the steps
// already done are undone in reverse order and only then does the saga report the failure. Steps call other
// services (their callbacks arrive on whatever thread the call finished on) or run blocking work on an Executor
// (async::Blocking); no thread waits between steps. Adding a step is one entry in the list a saga runs.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/async/callback.h"

namespace zhongtai::async {

template <typename State>
class Saga : public std::enable_shared_from_this<Saga<State>> {
 public:
  // Does the step's work and calls `done` once with its outcome.
  using Action = std::function<void(State& state, StatusCallback done)>;
  // Undoes the step after a later one failed (`cause`); calls `done` once when finished. An undo cannot fail the saga:
  // one that cannot finish now logs it and leaves the rest to a sweeper, which is safe because every step is keyed
  // (by the order id, say) and idempotent.
  using Undo = std::function<void(State& state, const absl::Status& cause, std::function<void()> done)>;

  struct Step {
    Step(std::string name, Action run, Undo undo = nullptr, bool undo_when_failed = false)
        : name(std::move(name)), run(std::move(run)), undo(std::move(undo)), undo_when_failed(undo_when_failed) {}

    std::string name;
    Action run;
    Undo undo;  // none: nothing to undo
    // Also undo when the step itself failed: a call that failed or timed out may have taken effect all the same.
    bool undo_when_failed = false;
  };

  // Runs `steps` in order over `state`. `finished` gets OK after the last step succeeded, or the first failure after
  // every step to undo was undone.
  static void Run(std::shared_ptr<State> state, std::vector<Step> steps, StatusCallback finished) {
    std::shared_ptr<Saga> saga(new Saga(std::move(state), std::move(steps), std::move(finished)));
    saga->Next();
  }

 private:
  Saga(std::shared_ptr<State> state, std::vector<Step> steps, StatusCallback finished)
      : state_(std::move(state)), steps_(std::move(steps)), finished_(std::move(finished)) {}

  void Next() {
    if (next_ == steps_.size()) {
      finished_(absl::OkStatus());
      return;
    }
    auto self = this->shared_from_this();
    steps_[next_].run(*state_, [self](absl::Status status) { self->StepDone(std::move(status)); });
  }

  void StepDone(absl::Status status) {
    if (status.ok()) {
      ++next_;
      Next();
      return;
    }
    failure_ = std::move(status);
    to_undo_ = steps_[next_].undo_when_failed ? next_ + 1 : next_;
    UndoNext();
  }

  // Undoes steps_[to_undo_ - 1], then the one before it, ...; then reports the failure.
  void UndoNext() {
    while (to_undo_ > 0 && !steps_[to_undo_ - 1].undo) --to_undo_;
    if (to_undo_ == 0) {
      finished_(failure_);
      return;
    }
    --to_undo_;
    auto self = this->shared_from_this();
    steps_[to_undo_].undo(*state_, failure_, [self] { self->UndoNext(); });
  }

  std::shared_ptr<State> state_;
  std::vector<Step> steps_;
  StatusCallback finished_;
  size_t next_ = 0;
  size_t to_undo_ = 0;
  absl::Status failure_;
};

}  // namespace zhongtai::async
