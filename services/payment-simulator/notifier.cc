#include "services/payment-simulator/notifier.h"

#include "absl/time/clock.h"
#include "common/http/signature.h"
#include "common/log/log.h"

namespace zhongtai::paysim {

Notifier::Notifier(http::HttpClient client, NotifierOptions options)
    : client_(std::move(client)), options_(std::move(options)), thread_([this] { Loop(); }) {}

Notifier::~Notifier() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Notifier::Schedule(const std::string& order_id, const std::string& status, std::string body, absl::Duration delay,
                        bool bad_signature) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace(absl::Now() + delay, Pending{order_id, status, std::move(body), bad_signature, 1});
  }
  changed_.notify_all();
}

std::vector<DeliveryRecord> Notifier::Deliveries(const std::string& order_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DeliveryRecord> out;
  for (const DeliveryRecord& record : records_) {
    if (order_id.empty() || record.order_id == order_id) out.push_back(record);
  }
  return out;
}

void Notifier::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      changed_.wait(lock);
      continue;
    }
    absl::Time due = queue_.begin()->first;
    if (absl::Now() < due) {
      changed_.wait_for(lock, absl::ToChronoNanoseconds(due - absl::Now()));
      continue;
    }
    Pending pending = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    lock.unlock();
    Deliver(std::move(pending));
    lock.lock();
  }
}

void Notifier::Deliver(Pending pending) {
  int64_t now = absl::ToUnixSeconds(absl::Now());
  std::string secret = pending.bad_signature ? options_.secret + "-forged" : options_.secret;
  http::HttpRequest request;
  request.method = "POST";
  request.body = pending.body;
  request.headers.emplace_back(http::kTimestampHeader, std::to_string(now));
  request.headers.emplace_back(http::kSignatureHeader, http::SignBody(secret, now, pending.body));
  absl::StatusOr<http::HttpResponse> response = client_.Send(request);
  int http_status = response.ok() ? response->status : 0;
  log::Info("notification sent", {{"order_id", pending.order_id},
                                  {"status", pending.status},
                                  {"attempt", std::to_string(pending.attempt)},
                                  {"http_status", std::to_string(http_status)},
                                  {"error", response.ok() ? "" : response.status().ToString()}});
  std::lock_guard<std::mutex> lock(mu_);
  records_.push_back(
      {pending.order_id, pending.status, pending.attempt, http_status, pending.bad_signature, absl::Now()});
  if (http_status >= 200 && http_status < 300) return;
  if (pending.attempt >= options_.max_attempts) {
    log::Warn("notification given up", {{"order_id", pending.order_id}});
    return;
  }
  absl::Duration backoff = options_.first_retry * (1 << std::min(pending.attempt - 1, 10));
  ++pending.attempt;
  queue_.emplace(absl::Now() + backoff, std::move(pending));
  changed_.notify_all();
}

}  // namespace zhongtai::paysim
