#include "services/user/domain/tags.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::user {

absl::StatusOr<MemberTags> Tags::AddManual(const std::string& user_id, const std::vector<std::string>& tags) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (tags.empty()) return InvalidArgument("tags", "TAGS_MISSING", "give at least one tag");
  if (static_cast<int>(tags.size()) > kMaxTagsPerRequest) {
    return InvalidArgument("tags", "TOO_MANY_TAGS", absl::StrCat("at most ", kMaxTagsPerRequest, " tags a request"));
  }
  std::set<std::string> wanted;
  for (size_t i = 0; i < tags.size(); ++i) {
    ASSIGN_OR_RETURN(std::string tag, NormalizeManualTag(tags[i], absl::StrCat("tags[", i, "]")));
    wanted.insert(std::move(tag));
  }
  const absl::Time now = clock_.Now();
  return store_.UpdateTags(user_id, [&](const MemberTags& current) -> absl::StatusOr<TagChange> {
    TagChange change;
    change.at = now;
    for (const std::string& tag : wanted) {
      if (!std::binary_search(current.manual.begin(), current.manual.end(), tag)) change.add_manual.push_back(tag);
    }
    if (static_cast<int>(current.manual.size() + change.add_manual.size()) > kMaxManualTagsPerMember) {
      return FailedPrecondition("TAG_LIMIT_REACHED",
                                absl::StrCat("a member has at most ", kMaxManualTagsPerMember, " manual tags"));
    }
    return change;
  });
}

absl::StatusOr<MemberTags> Tags::RemoveManual(const std::string& user_id, const std::string& tag) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (IsComputedTag(tag)) {
    return InvalidArgument("tag", "TAG_INVALID", "computed tags are the data hub's; only manual tags can be removed");
  }
  ASSIGN_OR_RETURN(std::string normalized, NormalizeManualTag(tag, "tag"));
  const absl::Time now = clock_.Now();
  return store_.UpdateTags(user_id, [&](const MemberTags& current) -> absl::StatusOr<TagChange> {
    TagChange change;
    change.at = now;
    if (std::binary_search(current.manual.begin(), current.manual.end(), normalized)) {
      change.remove_manual.push_back(normalized);
    }
    return change;
  });
}

absl::StatusOr<MemberTags> Tags::ApplyComputed(const std::string& user_id, const std::vector<ComputedTag>& computed) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  const absl::Time now = clock_.Now();
  return store_.UpdateTags(user_id, [&](const MemberTags& current) -> absl::StatusOr<TagChange> {
    TagChange change;
    change.at = now;
    for (const ComputedTag& incoming : computed) {
      auto stored = std::find_if(current.computed.begin(), current.computed.end(),
                                 [&](const ComputedTag& tag) { return tag.kind == incoming.kind; });
      if (stored == current.computed.end() || ReplacesComputedTag(*stored, incoming)) {
        change.put_computed.push_back(incoming);
      }
    }
    return change;
  });
}

absl::StatusOr<MemberTags> Tags::Load(const std::string& user_id) { return store_.LoadTags(user_id); }

std::vector<std::string> AllTags(const MemberTags& tags) {
  std::vector<std::string> out = tags.manual;
  std::vector<ComputedTag> computed = tags.computed;
  std::sort(computed.begin(), computed.end(), [](const ComputedTag& a, const ComputedTag& b) {
    return std::string(ComputedKindCode(a.kind)) < ComputedKindCode(b.kind);
  });
  for (const ComputedTag& tag : computed) out.push_back(tag.tag);
  return out;
}

}  // namespace zhongtai::user
