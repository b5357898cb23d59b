// What the server runner knows about the call a worker thread is serving, for NewClientContext().
#pragma once

#include <chrono>
#include <string>

#include "common/server/identity.h"

namespace zhongtai::server {

struct CallScope {
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
  std::string request_id;
  std::string traceparent;
  Caller caller;
};

// The calling thread's current call; a default CallScope when it serves none.
const CallScope& CurrentCall();

class ScopedCall {
 public:
  explicit ScopedCall(CallScope scope);
  ~ScopedCall();
  ScopedCall(const ScopedCall&) = delete;
  ScopedCall& operator=(const ScopedCall&) = delete;

 private:
  CallScope previous_;
};

}  // namespace zhongtai::server
