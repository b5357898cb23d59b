#include "common/redis/pool_metrics.h"

namespace zhongtai::redis {

void ExportPoolMetrics(metrics::CallbackGauges& gauges, Pool& pool, const std::string& name) {
  std::map<std::string, std::string> labels = {{"pool", name}};
  gauges.AddCounter("zt_redis_errors_total",
                    "Redis connection failures (connect, I/O, timeout); error replies excluded.", labels,
                    [&pool] { return static_cast<double>(pool.errors()); });
  gauges.Add("zt_redis_pool_size", "Redis connections the pool holds.", labels,
             [&pool] { return static_cast<double>(pool.size()); });
}

}  // namespace zhongtai::redis
