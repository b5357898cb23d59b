// Typed configuration from environment variables. Each getter records what is wrong instead of
// failing at once, so that Finish() reports every bad variable in one message and main() can stop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace zhongtai::config {

class Env {
 public:
  // prefix: e.g. "ZT_ORDER_"; names passed to the getters are appended to it.
  explicit Env(std::string prefix);

  std::string String(const std::string& name, const std::string& fallback);
  // Missing or empty is an error.
  std::string RequiredString(const std::string& name);
  int64_t Int(const std::string& name, int64_t fallback, int64_t min, int64_t max);
  bool Bool(const std::string& name, bool fallback);
  // A duration in absl::ParseDuration form ("250ms", "10s", "15m", "1h30m") from min to max.
  absl::Duration Duration(const std::string& name, absl::Duration fallback, absl::Duration min, absl::Duration max);
  // A TCP port, 0 to 65535 (0: any free port).
  int Port(const std::string& name, int fallback);
  // "host:port", or "dns:///host:port" for a gRPC target resolved to every address of the name.
  std::string HostPort(const std::string& name, const std::string& fallback);

  // Reads a variable without the prefix (e.g. shared settings such as ZT_AUTH_SIGNING_KEY).
  std::string Shared(const std::string& full_name, const std::string& fallback);

  // OK, or INVALID_ARGUMENT naming every variable that was wrong, and every renamed setting of this prefix
  // (renamed_settings.h) still set under its old name.
  absl::Status Finish() const;

 private:
  const char* Raw(const std::string& full_name) const;
  std::string prefix_;
  std::vector<std::string> errors_;
};

}  // namespace zhongtai::config
