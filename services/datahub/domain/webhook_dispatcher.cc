#include "services/datahub/domain/webhook_dispatcher.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace zhongtai::datahub {

WebhookDispatcher::WebhookDispatcher(WebhookStore& store, WebhookSender& sender, DispatcherOptions options,
                                     std::function<double()> random, DeliveryOutcome on_outcome)
    : store_(store),
      sender_(sender),
      options_(std::move(options)),
      random_(std::move(random)),
      on_outcome_(std::move(on_outcome)) {
  options_.workers = std::max(1, options_.workers);
  options_.per_subscription = std::max(1, options_.per_subscription);
}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!workers_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
  loop_ = std::thread([this] { Loop(); });
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  workers_.clear();
}

void WebhookDispatcher::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  loop_cv_.notify_all();
}

int64_t WebhookDispatcher::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

void WebhookDispatcher::Submit(ClaimedDelivery delivery) {
  SubscriptionState& state = subscriptions_[delivery.subscription_id];
  if (state.running < options_.per_subscription) {
    ++state.running;
    ++running_;
    ready_.push_back(std::move(delivery));
    work_cv_.notify_one();
  } else {
    state.waiting.push_back(std::move(delivery));
  }
}

absl::StatusOr<int> WebhookDispatcher::ClaimOnce() {
  int free = 0;
  std::vector<std::string> exclude;
  {
    std::lock_guard<std::mutex> lock(mu_);
    free = options_.workers - running_;
    for (const auto& [id, state] : subscriptions_) {
      if (state.running + static_cast<int>(state.waiting.size()) >= options_.per_subscription) exclude.push_back(id);
    }
  }
  if (free <= 0) return 0;
  absl::StatusOr<std::vector<ClaimedDelivery>> claimed =
      store_.Claim(options_.per_subscription, free, exclude, options_.lease);
  if (!claimed.ok()) return claimed.status();
  std::lock_guard<std::mutex> lock(mu_);
  for (ClaimedDelivery& delivery : *claimed) Submit(std::move(delivery));
  return static_cast<int>(claimed->size());
}

void WebhookDispatcher::Loop() {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    absl::StatusOr<int> claimed = ClaimOnce();
    std::unique_lock<std::mutex> lock(mu_);
    if (claimed.ok() && *claimed > 0 && running_ < options_.workers) continue;  // more may be due
    loop_cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.poll_interval), [this] { return stopping_ || woken_; });
  }
}

void WebhookDispatcher::Work() {
  while (true) {
    ClaimedDelivery delivery;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      if (ready_.empty()) return;  // stopping
      delivery = std::move(ready_.front());
      ready_.pop_front();
    }
    DeliveryAttempt attempt = sender_.Send(delivery);
    Finish(delivery, attempt);
    bool freed_slot = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --running_;
      SubscriptionState& state = subscriptions_[delivery.subscription_id];
      --state.running;
      if (!state.waiting.empty() && !stopping_) {
        ClaimedDelivery next = std::move(state.waiting.front());
        state.waiting.pop_front();
        Submit(std::move(next));
      } else if (state.running == 0 && state.waiting.empty()) {
        subscriptions_.erase(delivery.subscription_id);
        freed_slot = true;
      } else {
        freed_slot = true;
      }
    }
    if (freed_slot) loop_cv_.notify_all();
  }
}

void WebhookDispatcher::Finish(const ClaimedDelivery& delivery, const DeliveryAttempt& attempt) {
  const int attempts = delivery.attempts + 1;
  std::optional<absl::Time> next;
  std::string outcome = "delivered";
  if (!attempt.delivered) {
    next = options_.retry.NextAttempt(absl::Now(), delivery.budget_start, attempts, random_());
    outcome = next ? "retry" : "dead";
  }
  // A failure to record leaves the lease to run out: the delivery is sent again (at least once).
  absl::Status status = store_.Complete(delivery.id, attempts, attempt, next);
  if (status.ok() && on_outcome_) on_outcome_(outcome, attempt);
}

}  // namespace zhongtai::datahub
