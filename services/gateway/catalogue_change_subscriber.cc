#include "services/gateway/catalogue_change_subscriber.h"

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <utility>

#include "common/log/log.h"

namespace zhongtai::gateway {
namespace {

std::string HostOf(const std::string& address) { return address.substr(0, address.rfind(':')); }
int PortOf(const std::string& address) {
  size_t colon = address.rfind(':');
  return colon == std::string::npos ? 6379 : std::atoi(address.c_str() + colon + 1);
}

}  // namespace

CatalogueChangeSubscriber::CatalogueChangeSubscriber(std::string address, std::string channel, Callbacks callbacks,
                                                     absl::Duration retry)
    : host_(HostOf(address)),
      port_(PortOf(address)),
      channel_(std::move(channel)),
      callbacks_(std::move(callbacks)),
      retry_(retry) {}

CatalogueChangeSubscriber::~CatalogueChangeSubscriber() { Stop(); }

void CatalogueChangeSubscriber::Start() {
  thread_ = std::thread([this] { Run(); });
}

void CatalogueChangeSubscriber::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (context_ != nullptr) shutdown(context_->fd, SHUT_RDWR);  // wakes the blocked read
  }
  stopped_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool CatalogueChangeSubscriber::Subscribe() {
  timeval connect_timeout{1, 0};
  redisContext* context = redisConnectWithTimeout(host_.c_str(), port_, connect_timeout);
  if (context == nullptr || context->err) {
    if (context != nullptr) redisFree(context);
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      redisFree(context);
      return false;
    }
    context_ = context;
  }
  // The confirmation of the subscription comes back first: from then on every publication is heard.
  auto* reply = static_cast<redisReply*>(redisCommand(context, "SUBSCRIBE %b", channel_.data(), channel_.size()));
  bool subscribed = reply != nullptr && reply->type == REDIS_REPLY_ARRAY;
  if (reply != nullptr) freeReplyObject(reply);
  return subscribed;
}

void CatalogueChangeSubscriber::Run() {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    bool lost = false;
    if (Subscribe()) {
      lost = true;
      callbacks_.on_live(true);
      void* raw = nullptr;
      while (redisGetReply(context_, &raw) == REDIS_OK) {
        auto* reply = static_cast<redisReply*>(raw);
        bool message = reply != nullptr && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3;
        if (reply != nullptr) freeReplyObject(reply);
        if (message) callbacks_.on_change();
      }
      callbacks_.on_live(false);
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (context_ != nullptr) {
      redisFree(context_);
      context_ = nullptr;
    }
    if (lost && !stopping_) log::Warn("catalogue change subscription lost; retrying", {{"channel", channel_}});
    stopped_cv_.wait_for(lock, absl::ToChronoMilliseconds(retry_), [&] { return stopping_; });
  }
}

}  // namespace zhongtai::gateway
