#include "services/marketing/config.h"

#include "common/config/env.h"

namespace zhongtai::marketing {

absl::StatusOr<MarketingConfig> LoadConfig() {
  config::Env env("ZT_MARKETING_");
  server::ServiceDefaults defaults;
  defaults.service = "marketing";
  defaults.grpc_port = 50053;
  defaults.metrics_port = 9103;
  MarketingConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::marketing
