#include "common/proto/convert.h"

#include "google/protobuf/util/time_util.h"

namespace zhongtai::proto {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

google::protobuf::Timestamp ToTimestampExact(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool IsValidTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() >= TimeUtil::kTimestampMinSeconds && ts.seconds() <= TimeUtil::kTimestampMaxSeconds &&
         ts.nanos() >= 0 && ts.nanos() <= 999999999;
}

void SetMoney(type::v1::Money* money, const std::string& currency, int64_t amount_minor) {
  money->set_currency(currency);
  money->set_amount_minor(amount_minor);
}

}  // namespace zhongtai::proto
