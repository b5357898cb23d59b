// The pool's saturation as gauges read at scrape time: connections in use, callers waiting, size.
#pragma once

#include "common/metrics/collectors.h"
#include "common/pg/pool.h"

namespace zhongtai::pg {

void ExportPoolMetrics(metrics::CallbackGauges& gauges, Pool& pool);

}  // namespace zhongtai::pg
