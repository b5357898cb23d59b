#include "common/ids/ids.h"

#include <cstdint>
#include <random>

namespace zhongtai::ids {
namespace {

constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

void AppendBase32(uint64_t value, int digits, std::string* out) {
  for (int i = digits - 1; i >= 0; --i) out->push_back(kAlphabet[(value >> (5 * i)) & 31]);
}

}  // namespace

std::string NewId(const std::string& prefix, absl::Time now) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string id = prefix;
  AppendBase32(static_cast<uint64_t>(absl::ToUnixMillis(now)), 10, &id);
  AppendBase32(random(), 10, &id);
  return id;
}

}  // namespace zhongtai::ids
