// Hears the catalogue changes that migration 0004's triggers notify on channel zt_catalogue_changed (after each
// commit, with the product id, or '' for a change not of one product), on a connection of its own, and passes them to
// the caches. While it is not listening (before the first connection, after losing one) it says so (live false), so
// that the caches stop serving what a missed notification could have made stale; a connection that went quiet is
// found by a heartbeat query at every `heartbeat` without notifications.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/time/time.h"

namespace zhongtai::product {

inline constexpr char kCatalogueChannel[] = "zt_catalogue_changed";

class PgCatalogueChangeListener {
 public:
  struct Handlers {
    std::function<void(const std::string& product_id)> changed;
    std::function<void(bool live)> live;
  };

  PgCatalogueChangeListener(std::string dsn, Handlers handlers, absl::Duration heartbeat = absl::Seconds(1));
  ~PgCatalogueChangeListener();

  void Start();
  // Stops listening (live false) and joins the thread.
  void Stop();

 private:
  void Run();
  void ListenOnce();

  const std::string dsn_;
  const Handlers handlers_;
  const absl::Duration heartbeat_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace zhongtai::product
