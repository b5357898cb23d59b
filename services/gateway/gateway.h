// The gateway's request handling, independent of the HTTP library: route, authenticate, transcode,
// call the upstream service through a generic stub, and answer; plus /healthz, /readyz, /openapi.json
// and the HTTP metrics.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/authentication.h"
#include "services/gateway/http_handler.h"
#include "services/gateway/partner_signature.h"
#include "services/gateway/reply_memo.h"
#include "services/gateway/routes.h"
#include "services/gateway/transcoder.h"

namespace prometheus {
class Registry;
}

namespace zhongtai::gateway {

class RateLimiter;
class CatalogueReplyCache;

struct GatewayOptions {
  // upstream name ("product", "order", ...) -> gRPC target. Every route's upstream must be here.
  std::map<std::string, std::string> upstreams;
  absl::Duration upstream_timeout = absl::Seconds(5);
  absl::Duration health_timeout = absl::Seconds(1);
  absl::Duration ready_cache = absl::Seconds(3);
  TokenVerifier verify_token;
  // Optional; when set, every routed request passes it after authentication. Must outlive the gateway.
  RateLimiter* rate_limiter = nullptr;
  // Secrets that sign requests to ACCESS_PARTNER routes, and how old such a request may be.
  PartnerSecrets partner_secrets;
  absl::Duration signature_max_age = absl::Minutes(5);
  // Optional; when set, the answers of the public GET routes it caches (catalogue_reply_cache.h) are kept and
  // served from it. Must outlive the gateway.
  CatalogueReplyCache* catalogue_replies = nullptr;
};

class Gateway : public HttpHandler {
 public:
  // Builds the route table from the suite's services and one channel per upstream. Metrics are
  // registered in `registry`.
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(GatewayOptions options, prometheus::Registry& registry);
  // Waits for upstream calls still running (bounded by their deadline).
  ~Gateway();

  // Answers `request`; `done` runs exactly once, on this thread or on a gRPC thread. Every response
  // carries X-Request-Id.
  void Handle(HttpRequest request, std::function<void(HttpResponse)> done) override;

  // A response the HTTP layer made itself (bad framing, body too large): counted and given a request id.
  HttpResponse Rejected(const std::string& method, const absl::Status& status, int http_status) override;

  // While draining /readyz answers 503 so that load balancers stop sending traffic.
  void SetDraining() { draining_.store(true); }

  const RouteTable& routes() const override { return routes_; }
  const std::string& openapi() const { return openapi_; }

 private:
  struct Upstream;
  struct Metrics;
  Gateway(GatewayOptions options, RouteTable routes, prometheus::Registry& registry);

  void CallUpstream(const Route& route, RouteMatch match, HttpRequest request, const std::string& request_id,
                    std::function<void(HttpResponse)> done);
  void CheckReady(std::function<void(HttpResponse)> done);
  void Record(const std::string& method, const std::string& route, int status, absl::Time start);

  GatewayOptions options_;
  RouteTable routes_;
  std::string openapi_;
  std::map<std::string, std::unique_ptr<Upstream>> upstreams_;
  std::unique_ptr<Metrics> metrics_;
  std::atomic<bool> draining_{false};
  ReplyMemo public_reads_;  // the JSON of public GET replies by their bytes

  std::mutex mu_;
  std::condition_variable idle_;
  int calls_in_flight_ = 0;  // guarded by mu_
  absl::Time ready_checked_ = absl::InfinitePast();
  bool ready_ = false;
  std::string ready_body_;
};

}  // namespace zhongtai::gateway
