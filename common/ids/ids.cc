#include "common/ids/ids.h"

#include <cstdint>
#include <random>

namespace zhongtai::ids {
namespace {

constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

void AppendBase32(uint64_t value, int digits, std::string* out) {
  for (int i = digits - 1; i >= 0; --i) out->push_back(kAlphabet[(value >> (5 * i)) & 31]);
}

// Not for secrets: seeded once per thread.
std::mt19937_64& Engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

}  // namespace

std::string NewId(const std::string& prefix, absl::Time now) {
  std::string id = prefix;
  AppendBase32(static_cast<uint64_t>(absl::ToUnixMillis(now)), 10, &id);
  AppendBase32(Engine()(), 10, &id);
  return id;
}

std::string RandomHex(int chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(chars > 0 ? chars : 0);
  uint64_t word = 0;
  for (int i = 0; i < chars; ++i) {
    if (i % 16 == 0) word = Engine()();
    out.push_back(kHex[word & 0xf]);
    word >>= 4;
  }
  return out;
}

std::string NewIdempotencyKey() {
  std::string hex = RandomHex(32);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace zhongtai::ids
