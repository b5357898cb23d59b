// Metrics read at scrape time: gauges backed by callbacks (pool in use, queue depth, outbox lag)
// and the process_* resource metrics that prometheus-cpp does not provide.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace zhongtai::metrics {

class CallbackGauges : public prometheus::Collectable {
 public:
  // Adds one series; series of the same name share a family (same help).
  void Add(const std::string& name, const std::string& help, std::map<std::string, std::string> labels,
           std::function<double()> read);
  // The same for a value that only grows (a count kept elsewhere), exposed as a counter.
  void AddCounter(const std::string& name, const std::string& help, std::map<std::string, std::string> labels,
                  std::function<double()> read);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Series {
    std::map<std::string, std::string> labels;
    std::function<double()> read;
  };
  struct Family {
    std::string help;
    prometheus::MetricType type = prometheus::MetricType::Gauge;
    std::vector<Series> series;
  };
  mutable std::mutex mu_;
  void AddSeries(const std::string& name, const std::string& help, prometheus::MetricType type,
                 std::map<std::string, std::string> labels, std::function<double()> read);

  std::map<std::string, Family> families_;
};

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds, process_threads from /proc/self.
class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace zhongtai::metrics
