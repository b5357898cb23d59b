// zt-payment-simulator: a local stand-in for a wallet payment provider (README.md). Not one of the suite's services:
// it plays the outside world in the local stack and the tests.
#include <csignal>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "common/log/log.h"
#include "services/payment-simulator/api.h"
#include "services/payment-simulator/config.h"
#include "services/payment-simulator/http_server.h"
#include "services/payment-simulator/notifier.h"
#include "services/payment-simulator/simulator.h"

int main() {
  using namespace zhongtai;
  log::Init("payment-simulator");
  absl::StatusOr<paysim::SimulatorConfig> config = paysim::LoadConfig();
  if (!config.ok()) {
    log::Error("bad configuration", {{"error", std::string(config.status().message())}});
    return 2;
  }
  http::HttpClientOptions notify_options;
  notify_options.timeout = config->notify_timeout;
  absl::StatusOr<http::HttpClient> merchant = http::HttpClient::Create(config->notify_url, notify_options);
  if (!merchant.ok()) {
    log::Error("bad configuration", {{"error", absl::StrCat("ZT_PAYSIM_NOTIFY_URL: ", merchant.status().message())}});
    return 2;
  }

  // The signals are waited for below; blocked before any thread starts so that every thread inherits it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  paysim::NotifierOptions notifier_options;
  notifier_options.secret = config->notify_secret;
  notifier_options.max_attempts = config->notify_attempts;
  notifier_options.first_retry = config->notify_retry;
  paysim::Notifier notifier(*std::move(merchant), notifier_options);
  SystemClock clock;
  std::string public_url = config->public_url.empty()
                               ? absl::StrCat("http://", config->http_address, ":", config->http_port)
                               : config->public_url;
  paysim::Simulator simulator(public_url, clock);
  paysim::Api api(simulator, notifier);
  paysim::HttpServer server([&api](const paysim::Request& request) { return api.Handle(request); });
  if (absl::Status started = server.Start(config->http_address, config->http_port); !started.ok()) {
    log::Error("cannot start", {{"error", started.ToString()}});
    return 1;
  }
  log::Info(
      "payment simulator listening",
      {{"address", config->http_address}, {"port", std::to_string(server.port())}, {"notify_url", config->notify_url}});
  int signal = 0;
  sigwait(&stop_signals, &signal);
  log::Info("stopped", {{"signal", std::to_string(signal)}});
  return 0;
}
