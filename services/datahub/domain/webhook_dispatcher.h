// The webhook dispatcher: claims due deliveries (webhooks.h, WebhookStore::Claim) and sends them on a pool of
// workers, never more than `per_subscription` at once for one subscription, so a slow or dead receiver holds at most
// that many workers (each for at most the sender's timeout) and every other subscription's deliveries go on.
// A failed attempt is scheduled again by the retry policy (exponential backoff with jitter) until its budget is
// spent, then dead-lettered. Several replicas may run one each: the store's leases keep them apart.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "services/datahub/domain/webhooks.h"

namespace zhongtai::datahub {

struct DispatcherOptions {
  int workers = 16;
  int per_subscription = 2;
  // How often due deliveries are looked for (a new event wakes it sooner through Wake()).
  absl::Duration poll_interval = absl::Milliseconds(500);
  // How long a claimed delivery is held before another dispatcher may take it; longer than a send.
  absl::Duration lease = absl::Seconds(60);
  RetryPolicy retry;
};

// "delivered", "retry" (failed, tried again later) or "dead" (failed, budget spent); and the attempt.
using DeliveryOutcome = std::function<void(const std::string& outcome, const DeliveryAttempt& attempt)>;

class WebhookDispatcher {
 public:
  // `random`: uniform in [0, 1), for the jitter.
  WebhookDispatcher(WebhookStore& store, WebhookSender& sender, DispatcherOptions options,
                    std::function<double()> random, DeliveryOutcome on_outcome = nullptr);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void Start();
  void Stop();  // waits for the sends under way
  void Wake();  // look for due deliveries now

  // One claim round without the loop thread (the workers must run: Start()). Returns deliveries claimed.
  absl::StatusOr<int> ClaimOnce();
  int64_t in_flight() const;

 private:
  struct SubscriptionState {
    int running = 0;
    std::deque<ClaimedDelivery> waiting;
  };
  void Loop();
  void Work();
  void Submit(ClaimedDelivery delivery);  // mu_ held
  void Finish(const ClaimedDelivery& delivery, const DeliveryAttempt& attempt);

  WebhookStore& store_;
  WebhookSender& sender_;
  DispatcherOptions options_;
  std::function<double()> random_;
  DeliveryOutcome on_outcome_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  bool woken_ = false;
  int running_ = 0;
  std::map<std::string, SubscriptionState> subscriptions_;
  std::deque<ClaimedDelivery> ready_;
  std::thread loop_;
  std::vector<std::thread> workers_;
};

}  // namespace zhongtai::datahub
