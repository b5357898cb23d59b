#include "services/datahub/store/behaviour_partitions.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zhongtai::datahub {
namespace {

// Serialises partition creation across processes (any constant unique to this purpose).
constexpr int64_t kPartitionLock = 0x7a74646842455650;  // "ztdhBEVP"

std::string UtcMidnight(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d 00:00:00+00", day.year(), day.month(), day.day());
}

// The partitions of behaviour_events by name.
constexpr char kListPartitions[] =
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent"
    " WHERE p.relname = 'behaviour_events' AND p.relnamespace = current_schema()::regnamespace ORDER BY 1";

// The day of a partition name behaviour_events_pYYYYMMDD; false for any other name.
bool DayOfPartition(const std::string& name, absl::CivilDay* day) {
  const std::string prefix = "behaviour_events_p";
  if (name.size() != prefix.size() + 8 || name.compare(0, prefix.size(), prefix) != 0) return false;
  const std::string digits = name.substr(prefix.size());
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  const int y = std::stoi(digits.substr(0, 4)), m = std::stoi(digits.substr(4, 2)), d = std::stoi(digits.substr(6));
  *day = absl::CivilDay(y, m, d);
  return day->year() == y && day->month() == m && day->day() == d;
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

absl::StatusOr<std::vector<absl::CivilDay>> BehaviourPartitions::Days() {
  std::vector<absl::CivilDay> days;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    days.clear();
    for (const pqxx::row& row : tx.exec(kListPartitions)) {
      absl::CivilDay day;
      if (DayOfPartition(row[0].as<std::string>(), &day)) days.push_back(day);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  std::sort(days.begin(), days.end());
  return days;
}

absl::StatusOr<std::vector<std::string>> BehaviourPartitions::DropBefore(absl::CivilDay first_kept) {
  absl::StatusOr<std::vector<absl::CivilDay>> days = Days();
  if (!days.ok()) return days.status();
  std::vector<std::string> dropped;
  for (absl::CivilDay day : *days) {
    if (day >= first_kept) break;
    const std::string name = BehaviourPartitionName(day);
    absl::Status status = pool_.Transact([&](pqxx::work& tx) {
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kPartitionLock);
      // Dropping a partition locks the parent briefly (no row is read or moved).
      tx.exec(absl::StrCat("DROP TABLE IF EXISTS ", name));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      known_.erase(day);
    }
    dropped.push_back(name);
  }
  return dropped;
}

}  // namespace zhongtai::datahub
