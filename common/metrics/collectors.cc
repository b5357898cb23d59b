#include "common/metrics/collectors.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace zhongtai::metrics {
namespace {

prometheus::MetricFamily Gauge(const std::string& name, const std::string& help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

double BootTimeSeconds() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime") {
      stat >> value;
      return value;
    }
    stat.ignore(1 << 16, '\n');
  }
  return 0;
}

int CountOpenFds() {
  int count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count > 2 ? count - 3 : 0;  // ".", ".." and the directory's own fd
}

}  // namespace

void CallbackGauges::Add(const std::string& name, const std::string& help, std::map<std::string, std::string> labels,
                         std::function<double()> read) {
  AddSeries(name, help, prometheus::MetricType::Gauge, std::move(labels), std::move(read));
}

void CallbackGauges::AddCounter(const std::string& name, const std::string& help,
                                std::map<std::string, std::string> labels, std::function<double()> read) {
  AddSeries(name, help, prometheus::MetricType::Counter, std::move(labels), std::move(read));
}

void CallbackGauges::AddSeries(const std::string& name, const std::string& help, prometheus::MetricType type,
                               std::map<std::string, std::string> labels, std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& family = families_[name];
  family.help = help;
  family.type = type;
  family.series.push_back({std::move(labels), std::move(read)});
}

std::vector<prometheus::MetricFamily> CallbackGauges::Collect() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<prometheus::MetricFamily> out;
  for (const auto& [name, family] : families_) {
    prometheus::MetricFamily mf;
    mf.name = name;
    mf.help = family.help;
    mf.type = family.type;
    for (const auto& series : family.series) {
      prometheus::ClientMetric metric;
      for (const auto& [key, value] : series.labels) metric.label.push_back({key, value});
      if (family.type == prometheus::MetricType::Counter) {
        metric.counter.value = series.read();
      } else {
        metric.gauge.value = series.read();
      }
      mf.metric.push_back(std::move(metric));
    }
    out.push_back(std::move(mf));
  }
  return out;
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may contain spaces.
  size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
    // f[0] is field 3 (state); utime=14, stime=15, num_threads=20, starttime=22, vsize=23, rss=24.
    if (f.size() > 21) {
      const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
      double cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
      out.push_back(Gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", cpu,
                          prometheus::MetricType::Counter));
      out.push_back(Gauge("process_threads", "Number of OS threads in the process.", std::stod(f[17])));
      out.push_back(Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                          BootTimeSeconds() + std::stod(f[19]) / ticks));
      out.push_back(Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", std::stod(f[20])));
      out.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", std::stod(f[21]) * page));
    }
  }
  out.push_back(Gauge("process_open_fds", "Number of open file descriptors.", CountOpenFds()));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.push_back(
        Gauge("process_max_fds", "Maximum number of open file descriptors.", static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

}  // namespace zhongtai::metrics
