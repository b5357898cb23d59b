// The admin's member list, marketing's segment listing and the recall (win-back) list: read-only views over the
// member directory, paged by keyset (opaque page tokens), and the recall list as a CSV document.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/user/domain/segments_ports.h"

namespace zhongtai::user {

inline constexpr int kDefaultMemberPageSize = 20;
inline constexpr int kMaxMemberPageSize = 100;
inline constexpr int kDefaultSegmentPageSize = 500;
inline constexpr int kMaxSegmentPageSize = 1000;

struct MemberPage {
  std::vector<MemberRow> members;
  std::string next_page_token;  // empty at the end
};

struct SegmentPage {
  std::vector<std::string> user_ids;
  std::string next_page_token;
};

class MemberLists {
 public:
  // `recall_max_rows`: the most rows a recall export holds.
  MemberLists(MemberDirectory& directory, int recall_max_rows)
      : directory_(directory), recall_max_rows_(recall_max_rows) {}

  // `filter.tag` as given (it is normalised here). INVALID_ARGUMENT TAG_INVALID, PAGE_SIZE_NEGATIVE,
  // PAGE_TOKEN_INVALID, REGISTRATION_RANGE_INVALID (from not before before).
  absl::StatusOr<MemberPage> List(MemberFilter filter, int page_size, const std::string& page_token);
  // INVALID_ARGUMENT SEGMENT_FILTER_MISSING (neither tag nor tier), TAG_INVALID, PAGE_SIZE_NEGATIVE,
  // PAGE_TOKEN_INVALID.
  absl::StatusOr<SegmentPage> SegmentMembers(const std::string& tag, std::optional<Tier> tier, int page_size,
                                             const std::string& page_token);
  // Dormant customers (at `tier` when given), the most recent last order first: a CSV document with a header row
  // (RecallCsvHeader).
  absl::StatusOr<std::string> RecallCsv(std::optional<Tier> tier);

 private:
  MemberDirectory& directory_;
  int recall_max_rows_;
};

// user_id, nickname, tier, points_balance, last_order_time, dormant_since.
std::vector<std::string> RecallCsvHeader();

}  // namespace zhongtai::user
