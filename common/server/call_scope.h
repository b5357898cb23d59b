// What the server runner knows about the call a worker thread is serving, for NewClientContext().
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include "common/log/log.h"
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

// A call's scope and log context taken along when its work continues on another thread (an asynchronous call's
// completion, a task handed to the worker pool), so that logs there name the call and the calls made there carry its
// deadline, request id, trace context and user.
struct CarriedCall {
  CallScope call;
  log::RequestContext log;
};

// The calling thread's.
CarriedCall CarryCurrentCall();

// Makes `carried` the current thread's call and log context for the resumed scope's lifetime.
class ResumedCall {
 public:
  explicit ResumedCall(CarriedCall carried) : call_(std::move(carried.call)), log_(std::move(carried.log)) {}

 private:
  ScopedCall call_;
  log::ScopedRequestContext log_;
};

}  // namespace zhongtai::server
