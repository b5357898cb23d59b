#include "common/log/log.h"

#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace zhongtai::log {
namespace {

std::string g_service = "unknown";
Level g_min_level = Level::kInfo;
thread_local RequestContext t_context;

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

void Init(absl::string_view service, Level min_level) {
  g_service = std::string(service);
  g_min_level = min_level;
}

Level ParseLevel(absl::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "warn") return Level::kWarn;
  if (name == "error") return Level::kError;
  return Level::kInfo;
}

ScopedRequestContext::ScopedRequestContext(RequestContext context) : previous_(std::move(t_context)) {
  t_context = std::move(context);
}

ScopedRequestContext::~ScopedRequestContext() { t_context = std::move(previous_); }

const RequestContext& CurrentRequest() { return t_context; }

std::string JsonEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void Write(Level level, absl::string_view message, Fields fields) {
  if (level < g_min_level) return;
  std::string line = absl::StrFormat(R"({"time":"%s","level":"%s","service":"%s","message":"%s")",
                                     absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                                     LevelName(level), JsonEscape(g_service), JsonEscape(message));
  const RequestContext& context = t_context;
  if (!context.request_id.empty()) absl::StrAppend(&line, R"(,"request_id":")", JsonEscape(context.request_id), "\"");
  if (!context.trace_id.empty()) absl::StrAppend(&line, R"(,"trace_id":")", JsonEscape(context.trace_id), "\"");
  if (!context.rpc.empty()) absl::StrAppend(&line, R"(,"rpc":")", JsonEscape(context.rpc), "\"");
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, ",\"", JsonEscape(key), "\":\"", JsonEscape(value), "\"");
  }
  line += "}\n";
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace zhongtai::log
