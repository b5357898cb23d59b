// Sends the simulator's asynchronous payment notifications to the merchant's callback URL, signed as
// common/http/signature.h says, from a thread of its own: after the requested delay, again when the merchant does not
// answer 2xx (backing off, a bounded number of times), as real providers do until they hear "success".
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "common/http/http_client.h"

namespace zhongtai::paysim {

struct NotifierOptions {
  std::string secret;
  int max_attempts = 8;
  absl::Duration first_retry = absl::Seconds(1);  // doubles each time
};

// One try to deliver a notification, as the merchant answered it (http_status 0: no answer).
struct DeliveryRecord {
  std::string order_id;
  std::string status;  // the payment status the notification reported
  int attempt = 0;
  int http_status = 0;
  bool bad_signature = false;
  absl::Time at;
};

class Notifier {
 public:
  Notifier(http::HttpClient client, NotifierOptions options);
  ~Notifier();  // stops; notifications not yet sent are dropped

  // Sends `body` (the JSON notification of `order_id`) after `delay`.
  void Schedule(const std::string& order_id, const std::string& status, std::string body, absl::Duration delay,
                bool bad_signature);
  // Every delivery try so far for `order_id` (all when empty), oldest first.
  std::vector<DeliveryRecord> Deliveries(const std::string& order_id) const;

 private:
  struct Pending {
    std::string order_id;
    std::string status;
    std::string body;
    bool bad_signature = false;
    int attempt = 1;
  };
  void Loop();
  void Deliver(Pending pending);

  http::HttpClient client_;
  NotifierOptions options_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::multimap<absl::Time, Pending> queue_;
  std::vector<DeliveryRecord> records_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the fields it uses exist
};

}  // namespace zhongtai::paysim
