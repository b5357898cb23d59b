// The Redis pool's health at scrape time: connection-level failures so far and the pool's size.
#pragma once

#include <string>

#include "common/metrics/collectors.h"
#include "common/redis/redis.h"

namespace zhongtai::redis {

// `name` labels the series (pool="order"), as the database pool's gauges do.
void ExportPoolMetrics(metrics::CallbackGauges& gauges, Pool& pool, const std::string& name);

}  // namespace zhongtai::redis
