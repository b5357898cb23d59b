// Sends webhook deliveries over HTTP(S) with libcurl: a POST of the event's JSON body, signed (common/http/signature.h:
// X-Zt-Timestamp, X-Zt-Signature), with short connect and total timeouts, no redirects, no proxy from the
// environment, and the SSRF guard applied to the very address each connection goes to (so a name that resolved to a
// public address when the subscription was made and to a private one now, DNS rebinding, is refused).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/datahub/domain/webhooks.h"

namespace zhongtai::datahub {

struct WebhookSenderOptions {
  absl::Duration connect_timeout = absl::Seconds(3);
  absl::Duration timeout = absl::Seconds(10);  // the whole exchange
  WebhookUrlPolicy policy;
  // Trust store for https (PEM file); empty: the system's.
  std::string ca_file;
};

class CurlWebhookSender : public WebhookSender {
 public:
  explicit CurlWebhookSender(WebhookSenderOptions options);
  DeliveryAttempt Send(const ClaimedDelivery& delivery) override;

 private:
  WebhookSenderOptions options_;
};

// The host's addresses from the system resolver (getaddrinfo); INVALID_ARGUMENT when it has none.
absl::StatusOr<std::vector<IpAddress>> ResolveHost(const std::string& host);

}  // namespace zhongtai::datahub
