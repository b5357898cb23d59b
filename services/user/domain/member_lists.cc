#include "services/user/domain/member_lists.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/csv/csv.h"
#include "common/status/status.h"
#include "services/user/domain/page_tokens.h"

namespace zhongtai::user {
namespace {

absl::StatusOr<int> PageSize(int requested, int fallback, int most) {
  if (requested < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  return requested == 0 ? fallback : std::min(requested, most);
}

std::string Rfc3339(std::optional<absl::Time> t) {
  if (!t) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *t, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<MemberPage> MemberLists::List(MemberFilter filter, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, kDefaultMemberPageSize, kMaxMemberPageSize));
  if (!filter.tag.empty()) {
    ASSIGN_OR_RETURN(filter.tag, NormalizeTagFilter(filter.tag, "tag"));
  }
  if (filter.registered_from && filter.registered_before && *filter.registered_from >= *filter.registered_before) {
    return InvalidArgument("registeredAfter", "REGISTRATION_RANGE_INVALID",
                           "registeredAfter must be before registeredBefore");
  }
  ASSIGN_OR_RETURN(std::optional<MemberCursor> after, DecodeMemberToken(page_token));
  // One more than the page tells whether another page follows.
  ASSIGN_OR_RETURN(std::vector<MemberRow> rows, directory_.ListMembers(filter, after, limit + 1));
  MemberPage page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(limit);
    page.next_page_token = EncodeMemberToken({rows.back().registered_at, rows.back().user_id});
  }
  page.members = std::move(rows);
  return page;
}

absl::StatusOr<SegmentPage> MemberLists::SegmentMembers(const std::string& tag, std::optional<Tier> tier, int page_size,
                                                        const std::string& page_token) {
  if (tag.empty() && !tier) {
    return InvalidArgument("tag", "SEGMENT_FILTER_MISSING", "give a tag, a tier or both");
  }
  SegmentQuery query;
  query.tier = tier;
  if (!tag.empty()) {
    ASSIGN_OR_RETURN(query.tag, NormalizeTagFilter(tag, "tag"));
  }
  ASSIGN_OR_RETURN(query.limit, PageSize(page_size, kDefaultSegmentPageSize, kMaxSegmentPageSize));
  ASSIGN_OR_RETURN(query.after_user_id, DecodeSegmentToken(page_token));
  const int limit = query.limit;
  query.limit = limit + 1;
  ASSIGN_OR_RETURN(std::vector<std::string> ids, directory_.ListSegmentMembers(query));
  SegmentPage page;
  if (static_cast<int>(ids.size()) > limit) {
    ids.resize(limit);
    page.next_page_token = EncodeSegmentToken(ids.back());
  }
  page.user_ids = std::move(ids);
  return page;
}

std::vector<std::string> RecallCsvHeader() {
  return {"user_id", "nickname", "tier", "points_balance", "last_order_time", "dormant_since"};
}

absl::StatusOr<std::string> MemberLists::RecallCsv(std::optional<Tier> tier) {
  ASSIGN_OR_RETURN(std::vector<MemberRow> rows,
                   directory_.ListByStage(LifecycleStage::kDormant, tier, recall_max_rows_));
  csv::Writer writer;
  writer.Row(RecallCsvHeader());
  for (const MemberRow& row : rows) {
    writer.Row({row.user_id, row.nickname, TierCode(row.tier), absl::StrCat(row.points_balance),
                Rfc3339(row.last_order_at), Rfc3339(row.stage_since)});
  }
  return writer.Take();
}

}  // namespace zhongtai::user
