#include "common/pg/pool_metrics.h"

namespace zhongtai::pg {

void ExportPoolMetrics(metrics::CallbackGauges& gauges, Pool& pool) {
  std::map<std::string, std::string> labels = {{"pool", pool.name()}};
  gauges.Add("zt_db_pool_in_use", "Database connections in use.", labels,
             [&pool] { return static_cast<double>(pool.in_use()); });
  gauges.Add("zt_db_pool_waiting", "Callers waiting for a database connection.", labels,
             [&pool] { return static_cast<double>(pool.waiting()); });
  gauges.Add("zt_db_pool_size", "Database connections the pool holds.", labels,
             [&pool] { return static_cast<double>(pool.size()); });
}

}  // namespace zhongtai::pg
