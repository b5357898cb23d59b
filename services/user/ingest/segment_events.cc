#include "services/user/ingest/segment_events.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/log/log.h"
#include "common/proto/convert.h"
#include "services/user/domain/tags.h"
#include "services/user/store/pg_tag_store.h"
#include "zhongtai/datahub/v1/user_segment_events.pb.h"

namespace zhongtai::user {
namespace {

absl::Status Skip(const events::Event& event, const std::string& why) {
  log::Error("skipping segment event", {{"type", event.type}, {"event_id", event.id}, {"why", why}});
  return absl::OkStatus();
}

// "RFM_SEGMENT_AT_RISK" -> "at_risk": the enum value's name after its prefix, lower-cased.
std::string ValueOf(const std::string& enum_name, const std::string& prefix) {
  std::string value = enum_name;
  if (absl::StartsWith(value, prefix)) value = value.substr(prefix.size());
  return absl::AsciiStrToLower(value);
}

}  // namespace

events::Handler MakeSegmentEventHandler(Clock& clock) {
  return [&clock](pqxx::work& tx, const events::Event& event) -> absl::Status {
    if (event.type != datahub::v1::UserSegmentsComputed::descriptor()->full_name()) return absl::OkStatus();
    datahub::v1::UserSegmentsComputed computed;
    if (!computed.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
    const absl::Time at = computed.has_computed_at() ? proto::FromTimestamp(computed.computed_at()) : event.occurred_at;
    std::vector<ComputedTag> tags;
    if (computed.rfm_segment() != datahub::v1::RFM_SEGMENT_UNSPECIFIED) {
      absl::StatusOr<ComputedTag> tag = MakeComputedTag(
          ComputedKind::kRfm, ValueOf(datahub::v1::RfmSegment_Name(computed.rfm_segment()), "RFM_SEGMENT_"), at);
      if (!tag.ok()) return Skip(event, tag.status().ToString());
      tags.push_back(*tag);
    }
    if (computed.ltv_band() != datahub::v1::LTV_BAND_UNSPECIFIED) {
      absl::StatusOr<ComputedTag> tag =
          MakeComputedTag(ComputedKind::kLtv, ValueOf(datahub::v1::LtvBand_Name(computed.ltv_band()), "LTV_BAND_"), at);
      if (!tag.ok()) return Skip(event, tag.status().ToString());
      tags.push_back(*tag);
    }
    if (tags.empty()) return absl::OkStatus();
    PgTagStore store(tx);
    Tags member_tags(store, clock);
    absl::StatusOr<MemberTags> applied = member_tags.ApplyComputed(computed.user_id(), tags);
    const absl::StatusCode code = applied.status().code();
    if (code == absl::StatusCode::kInvalidArgument || code == absl::StatusCode::kNotFound) {
      return Skip(event, applied.status().ToString());
    }
    return applied.status();
  };
}

std::set<std::string> SegmentEventHandlerTypes() {
  return {datahub::v1::UserSegmentsComputed::descriptor()->full_name()};
}

}  // namespace zhongtai::user
