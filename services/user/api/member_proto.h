// Proto <-> domain for the member enums shared by the membership, member admin and segment APIs.
#pragma once

#include <optional>

#include "services/user/domain/lifecycle_rules.h"
#include "services/user/domain/membership_model.h"
#include "zhongtai/user/v1/membership.pb.h"

namespace zhongtai::user {

v1::MemberTier TierToProto(Tier tier);
// Unset for MEMBER_TIER_UNSPECIFIED (and unknown values).
std::optional<Tier> TierFromProto(v1::MemberTier tier);

v1::LifecycleStage StageToProto(LifecycleStage stage);
std::optional<LifecycleStage> StageFromProto(v1::LifecycleStage stage);

}  // namespace zhongtai::user
