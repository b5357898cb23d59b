#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::paysim {

struct SimulatorConfig {
  std::string http_address = "127.0.0.1";
  int http_port = 8090;
  // Where buyers reach the simulator (the pay URL's base); default http://<address>:<port>.
  std::string public_url;
  // The merchant's notification callback: the gateway's POST /v1/payments/notify/{provider}.
  std::string notify_url = "http://127.0.0.1:8080/v1/payments/notify/simulator";
  std::string notify_secret;
  int notify_attempts = 8;
  absl::Duration notify_retry = absl::Seconds(1);
  absl::Duration notify_timeout = absl::Seconds(5);
};

// From ZT_PAYSIM_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<SimulatorConfig> LoadConfig();

}  // namespace zhongtai::paysim
