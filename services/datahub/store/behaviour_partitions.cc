#include "services/datahub/store/behaviour_partitions.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zhongtai::datahub {
namespace {

// Serialises partition creation across processes (any constant unique to this purpose).
constexpr int64_t kPartitionLock = 0x7a74646842455650;  // "ztdhBEVP"

std::string UtcMidnight(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d 00:00:00+00", day.year(), day.month(), day.day());
}

}  // namespace

std::string BehaviourPartitionName(absl::CivilDay day) {
  return absl::StrFormat("behaviour_events_p%04d%02d%02d", day.year(), day.month(), day.day());
}

absl::Status BehaviourPartitions::Ensure(const std::vector<absl::CivilDay>& days) {
  for (absl::CivilDay day : days) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (known_.count(day) > 0) continue;
    }
    absl::Status status = pool_.Transact([&](pqxx::work& tx) {
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kPartitionLock);
      // The parent's indexes are created on the new partition too.
      tx.exec(absl::StrCat("CREATE TABLE IF NOT EXISTS ", BehaviourPartitionName(day),
                           " PARTITION OF behaviour_events FOR VALUES FROM ('", UtcMidnight(day), "') TO ('",
                           UtcMidnight(day + 1), "')"));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    std::lock_guard<std::mutex> lock(mu_);
    known_.insert(day);
  }
  return absl::OkStatus();
}

absl::Status BehaviourPartitions::EnsureRange(absl::CivilDay first, absl::CivilDay last) {
  std::vector<absl::CivilDay> days;
  for (absl::CivilDay day = first; day <= last; ++day) days.push_back(day);
  return Ensure(days);
}

}  // namespace zhongtai::datahub
