// What the HTTP server asks of whoever answers its requests: the Gateway in production, anything a test needs.
// The server knows framing, limits and timeouts; the handler knows routes, identity and upstreams.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "services/gateway/routes.h"
#include "services/gateway/transcoder.h"

namespace zhongtai::gateway {

struct HttpRequest {
  std::string method;  // "GET", ...
  std::string target;  // path and query, as sent
  std::string body;
  // Header values ("" when absent).
  std::string authorization;
  std::string idempotency_key;
  std::string request_id;
  std::string traceparent;
  // A partner's signature (ACCESS_PARTNER routes): X-Zt-Timestamp and X-Zt-Signature.
  std::string signature_timestamp;
  std::string signature;
  // X-Zt-Device-Id: the channel app's install (or browser) id, passed on to the services (coupon farming caps).
  std::string device_id;
  // The client address rate limits key on (see ClientIp in rate_limiter.h).
  std::string client_ip;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;

  // Answers `request`; `done` runs exactly once, on the calling thread or another one.
  virtual void Handle(HttpRequest request, std::function<void(HttpResponse)> done) = 0;

  // A response the HTTP layer made itself (bad framing, body too large), in the handler's error format.
  virtual HttpResponse Rejected(const std::string& method, const absl::Status& status, int http_status) = 0;

  // The routes requests are matched against (per-route body limits name them).
  virtual const RouteTable& routes() const = 0;
};

}  // namespace zhongtai::gateway
