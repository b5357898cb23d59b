// Conversions between the domain's plain values and the shared proto types, one place for every
// service's api/, clients/ and store/: google.protobuf.Timestamp and zhongtai.type.v1.Money.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "zhongtai/type/v1/money.pb.h"

namespace zhongtai::proto {

// `t` to the microsecond, the precision the stores keep (a finer part is dropped).
google::protobuf::Timestamp ToTimestamp(absl::Time t);
// `t` to the nanosecond, for echoing back a time the client sent.
google::protobuf::Timestamp ToTimestampExact(absl::Time t);
// The time `ts` names, to the nanosecond. For client input check IsValidTimestamp() first.
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);
// 0001-01-01 to 9999-12-31 with nanos in [0, 999999999], as google.protobuf.Timestamp defines it.
bool IsValidTimestamp(const google::protobuf::Timestamp& ts);

// Sets both fields: currency (ISO 4217) and the amount in minor units.
void SetMoney(type::v1::Money* money, const std::string& currency, int64_t amount_minor);

}  // namespace zhongtai::proto
