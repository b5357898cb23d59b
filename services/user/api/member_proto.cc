#include "services/user/api/member_proto.h"

namespace zhongtai::user {

v1::MemberTier TierToProto(Tier tier) {
  switch (tier) {
    case Tier::kNormal: return v1::MEMBER_TIER_NORMAL;
    case Tier::kSilver: return v1::MEMBER_TIER_SILVER;
    case Tier::kGold: return v1::MEMBER_TIER_GOLD;
    case Tier::kDiamond: return v1::MEMBER_TIER_DIAMOND;
  }
  return v1::MEMBER_TIER_UNSPECIFIED;
}

std::optional<Tier> TierFromProto(v1::MemberTier tier) {
  switch (tier) {
    case v1::MEMBER_TIER_NORMAL: return Tier::kNormal;
    case v1::MEMBER_TIER_SILVER: return Tier::kSilver;
    case v1::MEMBER_TIER_GOLD: return Tier::kGold;
    case v1::MEMBER_TIER_DIAMOND: return Tier::kDiamond;
    default: return std::nullopt;
  }
}

v1::LifecycleStage StageToProto(LifecycleStage stage) {
  switch (stage) {
    case LifecycleStage::kNew: return v1::LIFECYCLE_STAGE_NEW;
    case LifecycleStage::kActive: return v1::LIFECYCLE_STAGE_ACTIVE;
    case LifecycleStage::kDormant: return v1::LIFECYCLE_STAGE_DORMANT;
    case LifecycleStage::kChurned: return v1::LIFECYCLE_STAGE_CHURNED;
  }
  return v1::LIFECYCLE_STAGE_UNSPECIFIED;
}

std::optional<LifecycleStage> StageFromProto(v1::LifecycleStage stage) {
  switch (stage) {
    case v1::LIFECYCLE_STAGE_NEW: return LifecycleStage::kNew;
    case v1::LIFECYCLE_STAGE_ACTIVE: return LifecycleStage::kActive;
    case v1::LIFECYCLE_STAGE_DORMANT: return LifecycleStage::kDormant;
    case v1::LIFECYCLE_STAGE_CHURNED: return LifecycleStage::kChurned;
    default: return std::nullopt;
  }
}

}  // namespace zhongtai::user
