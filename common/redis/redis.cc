#include "common/redis/redis.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <sys/time.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::redis {
namespace {

absl::Status ErrorReplyStatus(const std::string& text) {
  for (const char* prefix : {"LOADING", "MASTERDOWN", "TRYAGAIN", "BUSY "}) {
    if (absl::StartsWith(text, prefix)) return Unavailable("REDIS_UNAVAILABLE", text);
  }
  return Internal("REDIS_ERROR", text);
}

}  // namespace

Reply::Reply(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      type_ = Type::kString;
      str_.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      type_ = Type::kStatus;
      str_.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      type_ = Type::kError;
      str_.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      type_ = Type::kInteger;
      integer_ = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      type_ = Type::kArray;
      elements_.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) elements_.emplace_back(*reply.element[i]);
      break;
    default: type_ = Type::kNil; break;
  }
}

Pool::Pool(Options options) : options_(std::move(options)) {}

Pool::~Pool() {
  Close();
  // Close() leaves connections in use to Release(); by now none may be in use.
  for (auto& slot : slots_) Disconnect(*slot);
}

absl::StatusOr<std::unique_ptr<Pool>> Pool::Open(Options options) {
  std::unique_ptr<Pool> pool(new Pool(std::move(options)));
  const std::string& address = pool->options_.address;
  auto colon = address.rfind(':');
  if (pool->options_.size < 1 || colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &pool->port_)) {
    return Error(absl::StatusCode::kInvalidArgument, "REDIS_OPTIONS_INVALID",
                 "redis address must be host:port and size at least 1");
  }
  pool->host_ = address.substr(0, colon);
  for (int i = 0; i < pool->options_.size; ++i) {
    auto slot = std::make_unique<Slot>();
    absl::Status status = pool->EnsureConnected(*slot);
    pool->idle_.push_back(slot.get());
    pool->slots_.push_back(std::move(slot));
    if (!status.ok()) return status;
  }
  return pool;
}

void Pool::Disconnect(Slot& slot) {
  if (slot.ctx != nullptr) redisFree(slot.ctx);
  slot.ctx = nullptr;
}

absl::Status Pool::EnsureConnected(Slot& slot) {
  if (slot.ctx != nullptr && slot.ctx->err == 0) return absl::OkStatus();
  Disconnect(slot);
  timeval tv = absl::ToTimeval(options_.timeout);
  redisContext* ctx = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (ctx == nullptr || ctx->err != 0) {
    ++errors_;
    log::Warn("redis connect failed",
              {{"address", options_.address}, {"error", ctx == nullptr ? "out of memory" : ctx->errstr}});
    if (ctx != nullptr) redisFree(ctx);
    return Unavailable("REDIS_UNAVAILABLE", "redis unavailable");
  }
  redisSetTimeout(ctx, tv);
  redisEnableKeepAlive(ctx);
  slot.ctx = ctx;
  return absl::OkStatus();
}

absl::StatusOr<Pool::Slot*> Pool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.timeout), [this] { return closed_ || !idle_.empty(); })) {
    return Error(absl::StatusCode::kResourceExhausted, "REDIS_POOL_EXHAUSTED", "no redis connection free in time");
  }
  if (closed_) return Unavailable("REDIS_POOL_CLOSED", "redis pool is closed");
  Slot* slot = idle_.back();
  idle_.pop_back();
  return slot;
}

void Pool::Release(Slot* slot) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) Disconnect(*slot);
  idle_.push_back(slot);
  cv_.notify_one();
}

void Pool::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (Slot* slot : idle_) Disconnect(*slot);
  cv_.notify_all();
}

absl::StatusOr<Reply> Pool::Command(const std::vector<std::string>& argv) {
  if (argv.empty()) return Internal("REDIS_ERROR", "empty redis command");
  absl::StatusOr<Slot*> acquired = Acquire();
  if (!acquired.ok()) return acquired.status();
  Slot& slot = **acquired;
  struct Releaser {
    Pool* pool;
    Slot* slot;
    ~Releaser() { pool->Release(slot); }
  } releaser{this, &slot};

  absl::Status connected = EnsureConnected(slot);
  if (!connected.ok()) return connected;
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const std::string& arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* raw =
      static_cast<redisReply*>(redisCommandArgv(slot.ctx, static_cast<int>(args.size()), args.data(), lengths.data()));
  if (raw == nullptr) {
    ++errors_;
    log::Warn("redis command failed",
              {{"address", options_.address}, {"command", argv[0]}, {"error", slot.ctx->errstr}});
    Disconnect(slot);  // the reply stream is out of step; start over on next use
    return Unavailable("REDIS_UNAVAILABLE", "redis unavailable");
  }
  Reply reply(*raw);
  freeReplyObject(raw);
  if (reply.is_error()) return ErrorReplyStatus(reply.str());
  return reply;
}

Script::Script(std::string lua) : lua_(std::move(lua)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(lua_.data()), lua_.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char byte : digest) {
    sha_.push_back(kHex[byte >> 4]);
    sha_.push_back(kHex[byte & 0xf]);
  }
}

absl::StatusOr<Reply> Script::Run(Pool& pool, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(sha_);
  argv.push_back(absl::StrCat(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<Reply> reply = pool.Command(argv);
  if (reply.ok() || !absl::StartsWith(reply.status().message(), "NOSCRIPT")) return reply;
  argv[0] = "EVAL";
  argv[1] = lua_;
  return pool.Command(argv);
}

}  // namespace zhongtai::redis
