// Structured logs: one JSON object per line on stderr, with the service name and the current
// request's id and trace id. Never log passwords, tokens, phone numbers or addresses.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace zhongtai::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Call once at start.
void Init(absl::string_view service, Level min_level = Level::kInfo);
// "debug", "info", "warn", "error"; anything else is info.
Level ParseLevel(absl::string_view name);

// The request a thread is working for; set by the server runner around each handler.
struct RequestContext {
  std::string request_id;
  std::string trace_id;
  std::string rpc;
};

// Sets the calling thread's request context for the scope's lifetime.
class ScopedRequestContext {
 public:
  explicit ScopedRequestContext(RequestContext context);
  ~ScopedRequestContext();
  ScopedRequestContext(const ScopedRequestContext&) = delete;
  ScopedRequestContext& operator=(const ScopedRequestContext&) = delete;

 private:
  RequestContext previous_;
};

const RequestContext& CurrentRequest();

using Fields = std::initializer_list<std::pair<absl::string_view, std::string>>;

void Write(Level level, absl::string_view message, Fields fields = {});
inline void Debug(absl::string_view message, Fields fields = {}) { Write(Level::kDebug, message, fields); }
inline void Info(absl::string_view message, Fields fields = {}) { Write(Level::kInfo, message, fields); }
inline void Warn(absl::string_view message, Fields fields = {}) { Write(Level::kWarn, message, fields); }
inline void Error(absl::string_view message, Fields fields = {}) { Write(Level::kError, message, fields); }

// Escapes a string for a JSON string literal (without the quotes).
std::string JsonEscape(absl::string_view text);

}  // namespace zhongtai::log
