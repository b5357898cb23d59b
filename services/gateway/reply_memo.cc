#include "services/gateway/reply_memo.h"

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace zhongtai::gateway {

ReplyMemo::ReplyMemo(size_t slots, size_t max_reply_bytes) : max_reply_bytes_(max_reply_bytes), slots_(slots) {}

HttpResponse ReplyMemo::Respond(const google::protobuf::Descriptor* type, const std::string& bytes,
                                const std::function<HttpResponse()>& write) {
  if (slots_.empty() || bytes.size() > max_reply_bytes_) return write();
  size_t index = absl::HashOf(type, absl::string_view(bytes)) % slots_.size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Slot& slot = slots_[index];
    if (slot.type == type && slot.bytes == bytes) {
      ++hits_;
      return slot.response;
    }
  }
  HttpResponse response = write();
  if (response.status == 200) {
    std::lock_guard<std::mutex> lock(mu_);
    slots_[index] = Slot{type, bytes, response};
  }
  return response;
}

int64_t ReplyMemo::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

}  // namespace zhongtai::gateway
