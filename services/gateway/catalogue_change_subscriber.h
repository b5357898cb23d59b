// Listens on the Redis channel where the product service publishes catalogue changes (kCatalogueChangedChannel) on
// one connection of its own, in a thread: every message calls on_change; on_live(true) once subscribed (nothing
// published before that was heard, so the caller starts over), on_live(false) when the connection is lost, after which
// it reconnects every `retry`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"

struct redisContext;

namespace zhongtai::gateway {

class CatalogueChangeSubscriber {
 public:
  struct Callbacks {
    std::function<void()> on_change;
    std::function<void(bool live)> on_live;
  };

  // `address` host:port.
  CatalogueChangeSubscriber(std::string address, std::string channel, Callbacks callbacks,
                            absl::Duration retry = absl::Milliseconds(500));
  ~CatalogueChangeSubscriber();

  void Start();
  // Closes the connection (waking the blocked read) and joins the thread.
  void Stop();

 private:
  void Run();
  bool Subscribe();  // connects and subscribes; false if it could not

  const std::string host_;
  const int port_;
  const std::string channel_;
  const Callbacks callbacks_;
  const absl::Duration retry_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable stopped_cv_;
  bool stopping_ = false;            // guarded by mu_
  redisContext* context_ = nullptr;  // guarded by mu_ (the thread reads on it without the lock)
};

}  // namespace zhongtai::gateway
