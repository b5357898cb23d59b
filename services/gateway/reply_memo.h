// The HTTP answers of public reads, remembered by the upstream reply's exact bytes: a hot listing or product page
// comes back from its service as the same bytes on every request (the service answers it from its cache), and the
// JSON of a reply depends on nothing but its type and bytes, so writing it again would only repeat the same work
// (parsing the reply and printing every field). A remembered answer is used only for a reply byte-identical to the
// one it was written from, so it can never be stale or belong to another reply; nothing here expires.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "services/gateway/http_response.h"

namespace zhongtai::gateway {

class ReplyMemo {
 public:
  // `slots` answers at most (one per slot, a new one replacing what its slot held), each from a reply of at most
  // `max_reply_bytes`.
  explicit ReplyMemo(size_t slots = 64, size_t max_reply_bytes = 128 * 1024);

  // The answer for a reply of `type` with `bytes`: remembered, or `write`'s (remembered when it succeeded with 200).
  HttpResponse Respond(const google::protobuf::Descriptor* type, const std::string& bytes,
                       const std::function<HttpResponse()>& write);

  int64_t hits() const;

 private:
  struct Slot {
    const google::protobuf::Descriptor* type = nullptr;
    std::string bytes;
    HttpResponse response;
  };

  const size_t max_reply_bytes_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;
  int64_t hits_ = 0;
};

}  // namespace zhongtai::gateway
