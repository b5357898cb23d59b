#include "common/config/env.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/config/renamed_settings.h"

namespace zhongtai::config {

Env::Env(std::string prefix) : prefix_(std::move(prefix)) {}

const char* Env::Raw(const std::string& full_name) const {
  const char* value = std::getenv(full_name.c_str());
  return (value != nullptr && *value != '\0') ? value : nullptr;
}

std::string Env::String(const std::string& name, const std::string& fallback) {
  const char* value = Raw(prefix_ + name);
  return value ? value : fallback;
}

std::string Env::Shared(const std::string& full_name, const std::string& fallback) {
  const char* value = Raw(full_name);
  return value ? value : fallback;
}

std::string Env::RequiredString(const std::string& name) {
  const char* value = Raw(prefix_ + name);
  if (!value) {
    errors_.push_back(absl::StrCat(prefix_, name, " is required"));
    return "";
  }
  return value;
}

int64_t Env::Int(const std::string& name, int64_t fallback, int64_t min, int64_t max) {
  const char* value = Raw(prefix_ + name);
  if (!value) return fallback;
  int64_t parsed = 0;
  if (!absl::SimpleAtoi(value, &parsed) || parsed < min || parsed > max) {
    errors_.push_back(absl::StrCat(prefix_, name, "=\"", value, "\" must be an integer from ", min, " to ", max));
    return fallback;
  }
  return parsed;
}

bool Env::Bool(const std::string& name, bool fallback) {
  const char* value = Raw(prefix_ + name);
  if (!value) return fallback;
  std::string v = value;
  if (v == "1" || v == "true") return true;
  if (v == "0" || v == "false") return false;
  errors_.push_back(absl::StrCat(prefix_, name, "=\"", v, "\" must be true or false"));
  return fallback;
}

absl::Duration Env::Duration(const std::string& name, absl::Duration fallback, absl::Duration min, absl::Duration max) {
  const char* value = Raw(prefix_ + name);
  if (!value) return fallback;
  absl::Duration parsed;
  if (!absl::ParseDuration(value, &parsed) || parsed < min || parsed > max) {
    errors_.push_back(absl::StrCat(prefix_, name, "=\"", value, "\" must be a duration such as 250ms, 10s or 15m from ",
                                   absl::FormatDuration(min), " to ", absl::FormatDuration(max)));
    return fallback;
  }
  return parsed;
}

int Env::Port(const std::string& name, int fallback) { return static_cast<int>(Int(name, fallback, 0, 65535)); }

std::string Env::HostPort(const std::string& name, const std::string& fallback) {
  std::string value = String(name, fallback);
  // gRPC's DNS resolver form, used in Kubernetes so that clients see every pod behind a headless Service.
  absl::string_view address = value;
  absl::ConsumePrefix(&address, "dns:///");
  std::vector<std::string> parts = absl::StrSplit(address, absl::MaxSplits(':', 1));
  int port = 0;
  if (parts.size() != 2 || parts[0].empty() || !absl::SimpleAtoi(parts[1], &port) || port <= 0 || port > 65535) {
    errors_.push_back(absl::StrCat(prefix_, name, "=\"", value, "\" must be host:port"));
  }
  return value;
}

absl::Status Env::Finish() const {
  std::vector<std::string> errors = errors_;
  for (const RenamedSetting& renamed : RenamedSettings()) {
    if (prefix_ != renamed.prefix || !Raw(prefix_ + renamed.old_name)) continue;
    errors.push_back(absl::StrCat(prefix_, renamed.old_name, " is no longer read: set ", prefix_, renamed.new_name,
                                  " instead, a duration such as ", renamed.example));
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("bad configuration: ", absl::StrJoin(errors, "; ")));
}

}  // namespace zhongtai::config
