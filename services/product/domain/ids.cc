#include "services/product/domain/ids.h"

#include "absl/strings/str_cat.h"

namespace zhongtai::product {
namespace {
constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
}

RandomIdGenerator::RandomIdGenerator(Clock& clock) : clock_(clock), random_(std::random_device{}()) {}

std::string RandomIdGenerator::NewId(absl::string_view prefix) {
  uint64_t ms = static_cast<uint64_t>(absl::ToUnixMillis(clock_.Now()));
  uint64_t bits;
  {
    std::lock_guard<std::mutex> lock(mu_);
    bits = random_();
  }
  std::string out(21, '0');
  for (int i = 12; i >= 0; --i, ms >>= 5) out[i] = kAlphabet[ms & 31];
  for (int i = 13; i < 21; ++i, bits >>= 5) out[i] = kAlphabet[bits & 31];
  return absl::StrCat(prefix, out);
}

}  // namespace zhongtai::product
