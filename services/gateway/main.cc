// zt-gateway: the HTTP/JSON door of the suite, transcoding the routes declared in the protos to gRPC.
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/token.h"
#include "common/log/log.h"
#include "common/metrics/endpoint.h"
#include "common/redis/channels.h"
#include "common/server/security.h"
#include "common/server/service_runner.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "services/gateway/catalogue_change_subscriber.h"
#include "services/gateway/catalogue_reply_cache.h"
#include "services/gateway/config.h"
#include "services/gateway/gateway.h"
#include "services/gateway/http_server.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/token_revocation_check.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

}  // namespace

int main() {
  using namespace zhongtai;
  server::PrepareProcess();
  log::Init("gateway");
  absl::StatusOr<gateway::GatewayConfig> config = gateway::LoadConfig();
  if (!config.ok()) return server::InvalidConfiguration(config.status());
  log::Init("gateway", log::ParseLevel(config->log_level));
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  metrics::Endpoint metrics_endpoint("gateway");
  server::SetProcessSecurity(config->security);
  if (absl::Status status =
          metrics_endpoint.Expose(absl::StrCat(config->security.bind_address, ":", config->metrics_port));
      !status.ok()) {
    log::Error("cannot serve metrics", {{"error", std::string(status.message())}});
    return 1;
  }

  auth::TokenConfig token_config;
  token_config.public_key = config->security.token_public_key;
  token_config.previous_public_keys = config->security.token_previous_public_keys;
  // One Redis connection per IO thread: the rate limit checks run on the IO threads and holds one for a round trip.
  redis::Options redis_options;
  redis_options.address = config->redis_addr;
  redis_options.size = config->io_threads;
  redis_options.timeout = config->redis_timeout;
  gateway::RateLimiter rate_limiter(config->rate_limits, redis_options, metrics_endpoint.registry());
  // Listing and search answers kept in the gateway, dropped on every catalogue change the product service publishes.
  gateway::CatalogueReplyCache catalogue_replies({"/zhongtai.product.v1.ProductService/ListProducts"},
                                                 config->catalogue_cache_ttl);
  gateway::CatalogueChangeSubscriber catalogue_changes(
      config->redis_addr, redis::kCatalogueChangedChannel,
      {[&catalogue_replies] { catalogue_replies.Invalidate(); },
       [&catalogue_replies](bool live) { catalogue_replies.SetLive(live); }});
  if (config->catalogue_cache_ttl > absl::ZeroDuration()) catalogue_changes.Start();
  // The listing cache's counts (docs/metrics.md).
  const std::string invalidations_help =
      "Times the gateway dropped every kept listing answer: reason change (a catalogue change heard), subscription "
      "(the change subscription went down or came back).";
  metrics_endpoint.gauges().AddCounter("zt_gateway_listing_cache_hits_total",
                                       "Listing and search answers served from the gateway's memory.", {},
                                       [&catalogue_replies] { return static_cast<double>(catalogue_replies.hits()); });
  metrics_endpoint.gauges().AddCounter(
      "zt_gateway_listing_cache_misses_total",
      "Listing and search requests the gateway could keep that went to the product service (not kept, expired, or "
      "the change subscription down).",
      {}, [&catalogue_replies] { return static_cast<double>(catalogue_replies.misses()); });
  metrics_endpoint.gauges().AddCounter(
      "zt_gateway_listing_cache_invalidations_total", invalidations_help, {{"reason", "change"}},
      [&catalogue_replies] { return static_cast<double>(catalogue_replies.invalidations()); });
  metrics_endpoint.gauges().AddCounter(
      "zt_gateway_listing_cache_invalidations_total", invalidations_help, {{"reason", "subscription"}},
      [&catalogue_replies] { return static_cast<double>(catalogue_replies.subscription_resets()); });
  metrics_endpoint.gauges().Add("zt_gateway_listing_cache_entries", "Listing and search answers the gateway keeps now.",
                                {}, [&catalogue_replies] { return static_cast<double>(catalogue_replies.size()); });
  gateway::GatewayOptions options;
  options.rate_limiter = &rate_limiter;
  options.catalogue_replies = &catalogue_replies;
  options.upstreams = config->upstreams;
  options.upstream_timeout = config->upstream_timeout;
  options.partner_secrets = config->partner_secrets;
  options.signature_max_age = config->signature_max_age;
  auto verified = std::make_shared<auth::VerifiedTokens>(token_config);
  // Tokens of erased accounts and of ended sessions (logout, password change) stop at once: the user service records
  // the revocations in the same Redis.
  auto revocations = std::make_shared<gateway::TokenRevocationCheck>(redis_options, config->rate_limits.breaker,
                                                                     metrics_endpoint.registry());
  options.verify_token = [verified, revocations](absl::string_view token) -> absl::StatusOr<auth::Claims> {
    absl::StatusOr<auth::Claims> claims = verified->Verify(token, absl::Now());
    if (!claims.ok()) return claims;
    if (absl::Status live = revocations->Check(*claims); !live.ok()) return live;
    return claims;
  };
  absl::StatusOr<std::unique_ptr<gateway::Gateway>> gw =
      gateway::Gateway::Create(std::move(options), metrics_endpoint.registry());
  if (!gw.ok()) {
    log::Error("cannot build the route table", {{"error", std::string(gw.status().message())}});
    return 2;
  }

  gateway::HttpServerOptions http;
  http.address = config->http_address;
  http.port = config->http_port;
  http.io_threads = config->io_threads;
  http.body_limit = config->body_limit;
  http.route_body_limits = config->route_body_limits;
  http.max_connections = config->max_connections;
  http.max_connections_per_client = config->max_connections_per_client;
  http.write_timeout = config->write_timeout;
  http.first_byte_timeout = config->first_byte_timeout;
  http.trusted_proxy_hops = config->trusted_proxy_hops;
  auto& refused_family = prometheus::BuildCounter()
                             .Name("zt_gateway_connections_refused_total")
                             .Help(
                                 "Connections closed on accept because ZT_GATEWAY_MAX_CONNECTIONS were open "
                                 "(limit=server) or ZT_GATEWAY_MAX_CONNECTIONS_PER_CLIENT from that address "
                                 "(limit=client).")
                             .Register(metrics_endpoint.registry());
  prometheus::Counter& refused_server = refused_family.Add({{"limit", "server"}});
  prometheus::Counter& refused_client = refused_family.Add({{"limit", "client"}});
  http.on_connection_refused = [&refused_server, &refused_client](bool per_client) {
    (per_client ? refused_client : refused_server).Increment();
  };
  http.header_timeout = config->header_timeout;
  http.body_timeout = config->body_timeout;
  http.idle_timeout = config->idle_timeout;
  auto server = std::make_unique<gateway::HttpServer>(http, gw->get());
  if (absl::Status status = server->Start(); !status.ok()) {
    log::Error("cannot start", {{"error", std::string(status.message())}});
    return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  log::Info("serving", {{"http_port", absl::StrCat(server->port())},
                        {"metrics_port", absl::StrCat(config->metrics_port)},
                        {"routes", absl::StrCat((*gw)->routes().routes().size())}});

  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  log::Info("shutting down", {{"drain_timeout_ms", absl::StrCat(absl::ToInt64Milliseconds(config->drain_timeout))}});
  (*gw)->SetDraining();
  server->Shutdown(config->drain_timeout);
  gw->reset();  // waits for upstream calls still running; their deadline bounds the wait
  server.reset();
  log::Info("stopped");
  return 0;
}
