// Redis over hiredis' synchronous API: a fixed pool of connections with timeouts, reconnected on
// the next use after an error, and Lua scripts run by SHA with a fallback to EVAL.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct redisContext;
struct redisReply;

namespace zhongtai::redis {

struct Options {
  std::string address = "127.0.0.1:6379";  // host:port
  int size = 8;
  // Connect, read and write timeout, and how long Command waits for a free connection. Blocking
  // commands (XREADGROUP BLOCK, ...) must block for less than this.
  absl::Duration timeout = absl::Seconds(1);
};

// A reply, copied out of hiredis (it owns its data).
class Reply {
 public:
  enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };

  Reply() = default;
  explicit Reply(const redisReply& reply);

  Type type() const { return type_; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool is_error() const { return type_ == Type::kError; }
  // Bulk string, status ("OK") or error text.
  const std::string& str() const { return str_; }
  int64_t integer() const { return integer_; }
  // Array elements (0 for anything else).
  size_t size() const { return elements_.size(); }
  const Reply& element(size_t i) const { return elements_.at(i); }
  const std::vector<Reply>& elements() const { return elements_; }

 private:
  Type type_ = Type::kNil;
  std::string str_;
  int64_t integer_ = 0;
  std::vector<Reply> elements_;
};

class Pool {
 public:
  // Connects all `size` connections eagerly; UNAVAILABLE (REDIS_UNAVAILABLE) if it cannot.
  static absl::StatusOr<std::unique_ptr<Pool>> Open(Options options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Sends one command (binary-safe arguments). A top-level error reply becomes a status with the
  // Redis error text as message: UNAVAILABLE (REDIS_UNAVAILABLE) for LOADING/MASTERDOWN/TRYAGAIN/
  // BUSY, INTERNAL (REDIS_ERROR) otherwise, e.g. "NOSCRIPT ...", "BUSYGROUP ...", a script's own
  // error. A connection or timeout error -> UNAVAILABLE (REDIS_UNAVAILABLE), and the connection is
  // reopened on its next use. No free connection within the timeout -> RESOURCE_EXHAUSTED
  // (REDIS_POOL_EXHAUSTED).
  absl::StatusOr<Reply> Command(const std::vector<std::string>& argv);

  // Connection-level failures so far (connect, I/O, timeouts); error replies are not counted.
  int64_t errors() const { return errors_.load(); }
  int size() const { return options_.size; }
  absl::Duration timeout() const { return options_.timeout; }

  // Closes idle connections now and the others as they are returned; later calls get UNAVAILABLE.
  void Close();

 private:
  struct Slot {
    redisContext* ctx = nullptr;
  };
  explicit Pool(Options options);
  absl::StatusOr<Slot*> Acquire();
  void Release(Slot* slot);
  absl::Status EnsureConnected(Slot& slot);
  static void Disconnect(Slot& slot);

  Options options_;
  std::string host_;
  int port_ = 0;
  std::atomic<int64_t> errors_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> idle_;
  bool closed_ = false;
};

// A Lua script run with EVALSHA; when the server does not know it (NOSCRIPT, e.g. after a restart
// or SCRIPT FLUSH) it is sent again with EVAL, which also caches it. Thread-safe.
class Script {
 public:
  explicit Script(std::string lua);
  absl::StatusOr<Reply> Run(Pool& pool, const std::vector<std::string>& keys,
                            const std::vector<std::string>& args) const;
  const std::string& sha() const { return sha_; }

 private:
  std::string lua_;
  std::string sha_;
};

}  // namespace zhongtai::redis
