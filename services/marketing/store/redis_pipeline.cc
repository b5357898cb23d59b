#include "services/marketing/store/redis_pipeline.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

// As redis::Pool::Command answers an error reply.
absl::Status ErrorReplyStatus(const std::string& text) {
  for (const char* prefix : {"LOADING", "MASTERDOWN", "TRYAGAIN", "BUSY "}) {
    if (absl::StartsWith(text, prefix)) return Unavailable("REDIS_UNAVAILABLE", text);
  }
  return Internal("REDIS_ERROR", text);
}

}  // namespace

struct RedisPipeline::Connection {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Pending> queue;
  bool stopping = false;
  redisContext* ctx = nullptr;
  std::thread thread;
};

RedisPipeline::RedisPipeline(Options options) : options_(std::move(options)) {
  auto colon = options_.address.rfind(':');
  if (colon != std::string::npos) {
    host_ = options_.address.substr(0, colon);
    if (!absl::SimpleAtoi(options_.address.substr(colon + 1), &port_)) port_ = 0;
  }
  const int n = options_.connections < 1 ? 1 : options_.connections;
  for (int i = 0; i < n; ++i) connections_.push_back(std::make_unique<Connection>());
  for (auto& c : connections_) {
    Connection* connection = c.get();
    connection->thread = std::thread([this, connection] { Loop(*connection); });
  }
}

RedisPipeline::~RedisPipeline() {
  for (auto& c : connections_) {
    std::lock_guard<std::mutex> lock(c->mu);
    c->stopping = true;
    c->cv.notify_all();
  }
  for (auto& c : connections_) {
    if (c->thread.joinable()) c->thread.join();
    if (c->ctx != nullptr) redisFree(c->ctx);
    for (Pending& p : c->queue) p.done(Unavailable("REDIS_UNAVAILABLE", "redis pipeline stopped"));
  }
}

void RedisPipeline::Send(std::vector<std::string> argv, Done done) {
  Connection& c = *connections_[next_++ % connections_.size()];
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (!c.stopping) {
      c.queue.push_back({std::move(argv), std::move(done)});
      c.cv.notify_one();
      return;
    }
  }
  done(Unavailable("REDIS_UNAVAILABLE", "redis pipeline stopped"));
}

void RedisPipeline::RunScript(const std::string& sha, const char* lua, const std::vector<std::string>& keys,
                              const std::vector<std::string>& args, Done done) {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(sha);
  argv.push_back(absl::StrCat(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> again = argv;  // kept only for the NOSCRIPT case, which is rare: a moved copy is cheap
  Send(std::move(argv),
       [this, lua, again = std::move(again), done = std::move(done)](absl::StatusOr<redis::Reply> reply) mutable {
         if (reply.ok() || !absl::StartsWith(reply.status().message(), "NOSCRIPT")) return done(std::move(reply));
         again[0] = "EVAL";
         again[1] = lua;
         Send(std::move(again), std::move(done));
       });
}

void RedisPipeline::Loop(Connection& c) {
  std::vector<Pending> round;
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (;;) {
    round.clear();
    {
      std::unique_lock<std::mutex> lock(c.mu);
      c.cv.wait(lock, [&c] { return c.stopping || !c.queue.empty(); });
      if (c.stopping) return;
      while (!c.queue.empty() && static_cast<int>(round.size()) < options_.max_batch) {
        round.push_back(std::move(c.queue.front()));
        c.queue.pop_front();
      }
    }
    ++rounds_;
    commands_ += static_cast<int64_t>(round.size());
    if (c.ctx == nullptr || c.ctx->err != 0) {
      if (c.ctx != nullptr) redisFree(c.ctx);
      timeval tv = absl::ToTimeval(options_.timeout);
      c.ctx = redisConnectWithTimeout(host_.c_str(), port_, tv);
      if (c.ctx == nullptr || c.ctx->err != 0) {
        log::Warn("redis pipeline connect failed",
                  {{"address", options_.address}, {"error", c.ctx == nullptr ? "out of memory" : c.ctx->errstr}});
        if (c.ctx != nullptr) redisFree(c.ctx);
        c.ctx = nullptr;
        for (Pending& p : round) p.done(Unavailable("REDIS_UNAVAILABLE", "redis unavailable"));
        continue;
      }
      redisSetTimeout(c.ctx, tv);
      redisEnableKeepAlive(c.ctx);
    }
    // Every command of the round into the output buffer, then one write and the replies in order.
    for (Pending& p : round) {
      args.clear();
      lengths.clear();
      for (const std::string& arg : p.argv) {
        args.push_back(arg.data());
        lengths.push_back(arg.size());
      }
      redisAppendCommandArgv(c.ctx, static_cast<int>(args.size()), args.data(), lengths.data());
    }
    size_t answered = 0;
    for (; answered < round.size(); ++answered) {
      void* raw = nullptr;
      if (redisGetReply(c.ctx, &raw) != REDIS_OK || raw == nullptr) break;
      auto* reply = static_cast<redisReply*>(raw);
      redis::Reply copied(*reply);
      freeReplyObject(reply);
      if (copied.is_error()) {
        round[answered].done(ErrorReplyStatus(copied.str()));
      } else {
        round[answered].done(std::move(copied));
      }
    }
    if (answered < round.size()) {
      log::Warn("redis pipeline round failed", {{"address", options_.address}, {"error", c.ctx->errstr}});
      redisFree(c.ctx);  // the reply stream is out of step: start over on the next round
      c.ctx = nullptr;
      for (size_t i = answered; i < round.size(); ++i) {
        round[i].done(Unavailable("REDIS_UNAVAILABLE", "redis unavailable"));
      }
    }
  }
}

}  // namespace zhongtai::marketing
