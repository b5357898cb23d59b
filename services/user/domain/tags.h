// Member tags: admins add and remove manual ones; the data hub's computed ones (RFM segment, LTV band) replace the
// previous tag of their kind, unless that one was computed later. Neither kind ever touches the other.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "services/user/domain/segments_ports.h"

namespace zhongtai::user {

class Tags {
 public:
  Tags(TagStore& store, Clock& clock) : store_(store), clock_(clock) {}

  // Adds manual tags (normalised; ones the member has stay). INVALID_ARGUMENT TAG_INVALID, TAGS_MISSING,
  // TOO_MANY_TAGS (more than kMaxTagsPerRequest a request); FAILED_PRECONDITION TAG_LIMIT_REACHED (the member would
  // have more than kMaxManualTagsPerMember); NOT_FOUND USER_NOT_FOUND.
  absl::StatusOr<MemberTags> AddManual(const std::string& user_id, const std::vector<std::string>& tags);
  // Removes a manual tag; one the member does not have changes nothing. INVALID_ARGUMENT TAG_INVALID (also for a
  // computed tag: those are the data hub's); NOT_FOUND USER_NOT_FOUND.
  absl::StatusOr<MemberTags> RemoveManual(const std::string& user_id, const std::string& tag);
  // The data hub's computation: each tag replaces the member's tag of its kind unless that one is newer.
  absl::StatusOr<MemberTags> ApplyComputed(const std::string& user_id, const std::vector<ComputedTag>& computed);

  absl::StatusOr<MemberTags> Load(const std::string& user_id);

 private:
  TagStore& store_;
  Clock& clock_;
};

// Manual tags, then computed ones by kind code ("ltv:..." before "rfm:..."): what GetMember and the member list
// show.
std::vector<std::string> AllTags(const MemberTags& tags);

}  // namespace zhongtai::user
