// Redis commands sent without holding a thread per command: each of a few connections has its own I/O thread that
// takes every command queued since its last round, writes them in one go (pipelining) and hands each reply to its
// callback, in order. The flash sale's admission uses it so that one purchase costs no blocked worker and a burst of
// admissions costs a few system calls instead of two per admission (docs/performance.md, B6).
//
// Callbacks run on the connection's I/O thread: they must not block (continue blocking work on an executor).
// A connection error fails the commands of that round with UNAVAILABLE (REDIS_UNAVAILABLE) and reconnects on the
// next round; a command already written may or may not have run, as with any Redis client.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis.h"

namespace zhongtai::marketing {

class RedisPipeline {
 public:
  using Done = std::function<void(absl::StatusOr<redis::Reply>)>;

  struct Options {
    std::string address = "127.0.0.1:6379";
    int connections = 2;
    // Connect, read and write timeout of a round.
    absl::Duration timeout = absl::Seconds(1);
    // At most this many commands in one round.
    int max_batch = 256;
  };

  // Starts the I/O threads; the connections are opened on the first round (and again after an error).
  explicit RedisPipeline(Options options);
  // Fails what is still queued with UNAVAILABLE and joins the threads.
  ~RedisPipeline();
  RedisPipeline(const RedisPipeline&) = delete;
  RedisPipeline& operator=(const RedisPipeline&) = delete;

  // Queues one command (binary-safe arguments); `done` gets the reply or, as redis::Pool::Command, an error reply
  // as a status (UNAVAILABLE for LOADING/BUSY..., INTERNAL REDIS_ERROR with the text otherwise).
  void Send(std::vector<std::string> argv, Done done);

  // Runs a script by its SHA, sending it once more with EVAL when the server does not know it (NOSCRIPT).
  // `lua` must outlive the call (a script constant).
  void RunScript(const std::string& sha, const char* lua, const std::vector<std::string>& keys,
                 const std::vector<std::string>& args, Done done);

  // Rounds and commands so far, for tests and the benchmark's notes.
  int64_t rounds() const { return rounds_.load(); }
  int64_t commands() const { return commands_.load(); }

 private:
  struct Pending {
    std::vector<std::string> argv;
    Done done;
  };
  struct Connection;
  void Loop(Connection& connection);

  Options options_;
  std::string host_;
  int port_ = 0;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::atomic<uint64_t> next_{0};
  std::atomic<int64_t> rounds_{0};
  std::atomic<int64_t> commands_{0};
};

}  // namespace zhongtai::marketing
