#include "services/user/api/membership_api.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/user/api/member_proto.h"
#include "services/user/domain/page_tokens.h"

namespace zhongtai::user {
namespace {

using proto::ToTimestamp;

// Points are worth fen of this currency.
constexpr char kPointsCurrency[] = "CNY";
constexpr int kDefaultExpiringWithinDays = 30;
constexpr int kMaxExpiringWithinDays = 366;

v1::PointsHoldStatus ToProto(HoldStatus status) {
  switch (status) {
    case HoldStatus::kHeld: return v1::POINTS_HOLD_STATUS_HELD;
    case HoldStatus::kCommitted: return v1::POINTS_HOLD_STATUS_COMMITTED;
    case HoldStatus::kReleased: return v1::POINTS_HOLD_STATUS_RELEASED;
  }
  return v1::POINTS_HOLD_STATUS_UNSPECIFIED;
}

v1::PointsEntryKind ToProto(LedgerKind kind) {
  switch (kind) {
    case LedgerKind::kEarn: return v1::POINTS_ENTRY_KIND_EARN;
    case LedgerKind::kRedeem: return v1::POINTS_ENTRY_KIND_REDEEM;
    case LedgerKind::kRelease: return v1::POINTS_ENTRY_KIND_RELEASE;
    case LedgerKind::kReturn: return v1::POINTS_ENTRY_KIND_RETURN;
    case LedgerKind::kReverse: return v1::POINTS_ENTRY_KIND_REVERSE;
    case LedgerKind::kExpire: return v1::POINTS_ENTRY_KIND_EXPIRE;
  }
  return v1::POINTS_ENTRY_KIND_UNSPECIFIED;
}

void ToProto(const PointsHold& hold, v1::PointsHold* out) {
  out->set_order_id(hold.order_id);
  out->set_points(hold.points);
  out->set_returned_points(hold.returned);
  out->set_status(ToProto(hold.status));
  proto::SetMoney(out->mutable_value(), kPointsCurrency, hold.points);
  *out->mutable_create_time() = ToTimestamp(hold.created_at);
  *out->mutable_expire_time() = ToTimestamp(hold.expires_at);
}

v1::MemberTier ToProto(Tier tier) { return TierToProto(tier); }

void ToProto(const TierRule& rule, v1::TierRule* out) {
  out->set_tier(ToProto(rule.tier));
  out->set_name(rule.name);
  out->set_growth_threshold(rule.growth_threshold);
  out->set_member_price_tier(rule.member_price_tier);
  out->set_points_multiplier_percent(rule.points_multiplier_percent);
  if (rule.free_shipping_threshold_minor) {
    proto::SetMoney(out->mutable_free_shipping_threshold(), kPointsCurrency, *rule.free_shipping_threshold_minor);
  }
  out->set_birthday_coupon_template_id(rule.birthday_coupon_template_id);
}

absl::StatusOr<TierRule> FromProto(const v1::TierRule& in, int index) {
  TierRule rule;
  const std::string field = absl::StrCat("tiers[", index, "]");
  switch (in.tier()) {
    case v1::MEMBER_TIER_NORMAL: rule.tier = Tier::kNormal; break;
    case v1::MEMBER_TIER_SILVER: rule.tier = Tier::kSilver; break;
    case v1::MEMBER_TIER_GOLD: rule.tier = Tier::kGold; break;
    case v1::MEMBER_TIER_DIAMOND: rule.tier = Tier::kDiamond; break;
    default: return InvalidArgument(field + ".tier", "TIERS_INCOMPLETE", "every tier names its tier");
  }
  rule.name = in.name();
  rule.growth_threshold = in.growth_threshold();
  rule.member_price_tier = in.member_price_tier();
  rule.points_multiplier_percent = in.points_multiplier_percent();
  if (in.has_free_shipping_threshold()) {
    if (in.free_shipping_threshold().currency() != kPointsCurrency) {
      return InvalidArgument(field + ".freeShippingThreshold.currency", "CURRENCY_INVALID",
                             "the free-shipping threshold is in CNY");
    }
    rule.free_shipping_threshold_minor = in.free_shipping_threshold().amount_minor();
  }
  rule.birthday_coupon_template_id = in.birthday_coupon_template_id();
  return rule;
}

// The user the internal call is made for, when it carries one (the unpaid-order sweeper's calls carry none).
std::string ActingUser() { return server::CurrentCaller().user_id; }

}  // namespace

void ToProto(const LedgerEntry& entry, v1::PointsEntry* out) {
  out->set_kind(ToProto(entry.kind));
  out->set_points(entry.delta);
  out->set_balance_after(entry.balance_after);
  out->set_reason(entry.reason);
  out->set_reference(entry.reference);
  *out->mutable_create_time() = ToTimestamp(entry.at);
}

void ToProto(const MemberView& member, v1::Member* out) {
  ToProto(member.tier, out->mutable_tier());
  *out->mutable_tier_since() = ToTimestamp(member.tier_since);
  out->set_growth(member.growth);
  if (member.next_tier) ToProto(*member.next_tier, out->mutable_next_tier());
  out->set_growth_to_next_tier(member.growth_to_next_tier);
  out->set_points_balance(member.points_balance);
  for (const std::string& tag : member.tags) out->add_tags(tag);
  if (member.lifecycle_stage) out->set_lifecycle_stage(StageToProto(*member.lifecycle_stage));
}

grpc::ServerUnaryReactor* MembershipApi::GetMyPoints(grpc::CallbackServerContext* context,
                                                     const v1::GetMyPointsRequest* request,
                                                     v1::GetMyPointsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    int days = request->expiring_within_days();
    if (days < 0 || days > kMaxExpiringWithinDays) {
      return InvalidArgument("expiringWithinDays", "EXPIRING_WITHIN_DAYS_INVALID",
                             absl::StrCat("expiring within days is 0 to ", kMaxExpiringWithinDays));
    }
    if (days == 0) days = kDefaultExpiringWithinDays;
    ASSIGN_OR_RETURN(int64_t before_seq, DecodePointsToken(request->page_token()));
    ASSIGN_OR_RETURN(PointsSummary summary,
                     points_.Summary(user_id, absl::Hours(24 * days), request->page_size(), before_seq));
    response->set_balance(summary.balance);
    proto::SetMoney(response->mutable_balance_value(), kPointsCurrency, summary.balance);
    response->set_expiring_points(summary.expiring_soon);
    *response->mutable_expiring_before() = ToTimestamp(summary.expiring_soon_until);
    for (const LedgerEntry& entry : summary.page.entries) ToProto(entry, response->add_entries());
    response->set_next_page_token(EncodePointsToken(summary.page.next_before_seq));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::HoldPoints(grpc::CallbackServerContext* context,
                                                    const v1::HoldPointsRequest* request,
                                                    v1::HoldPointsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    HoldCommand command;
    command.user_id = user_id;
    command.order_id = request->order_id();
    command.points = request->points();
    if (request->has_order_amount()) {
      if (request->order_amount().currency() != kPointsCurrency) {
        return InvalidArgument("orderAmount.currency", "CURRENCY_INVALID", "points pay CNY amounts only");
      }
      command.order_amount_minor = request->order_amount().amount_minor();
    }
    ASSIGN_OR_RETURN(PointsHold hold, points_.Hold(command));
    ToProto(hold, response->mutable_hold());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::CommitPoints(grpc::CallbackServerContext* context,
                                                      const v1::CommitPointsRequest* request,
                                                      v1::CommitPointsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(PointsHold hold, points_.Commit(request->order_id(), ActingUser()));
    ToProto(hold, response->mutable_hold());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::ReleasePoints(grpc::CallbackServerContext* context,
                                                       const v1::ReleasePointsRequest* request,
                                                       v1::ReleasePointsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(PointsHold hold, points_.Release(request->order_id(), ActingUser()));
    ToProto(hold, response->mutable_hold());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::ReturnPoints(grpc::CallbackServerContext* context,
                                                      const v1::ReturnPointsRequest* request,
                                                      v1::ReturnPointsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ReturnCommand command;
    command.order_id = request->order_id();
    command.points = request->points();
    command.reference = request->request_id();
    command.reason = request->reason();
    if (command.reference.empty()) {
      return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id is required");
    }
    ASSIGN_OR_RETURN(PointsHold hold, points_.Return(command));
    ToProto(hold, response->mutable_hold());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::GetMember(grpc::CallbackServerContext* context,
                                                   const v1::GetMemberRequest* request,
                                                   v1::GetMemberResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    std::string user_id = ActingUser();
    if (user_id.empty()) {
      user_id = request->user_id();
    } else if (!request->user_id().empty() && request->user_id() != user_id) {
      return InvalidArgument("userId", "USER_ID_MISMATCH", "a call on behalf of a customer asks about that customer");
    }
    ASSIGN_OR_RETURN(MemberView member, membership_.GetMember(user_id));
    ASSIGN_OR_RETURN(MemberTags tags, tags_.Load(user_id));
    member.tags = AllTags(tags);
    absl::StatusOr<LifecycleDecision> stage = lifecycle_.Current(user_id);
    if (stage.ok()) {
      member.lifecycle_stage = stage->stage;
    } else if (stage.status().code() != absl::StatusCode::kNotFound) {  // a member the user center does not know
      return stage.status();
    }
    ToProto(member, response->mutable_member());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::GetTierTable(grpc::CallbackServerContext* context,
                                                      const v1::GetTierTableRequest* request,
                                                      v1::GetTierTableResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(TierTable table, membership_.GetTiers());
    for (const TierRule& rule : table.rules) ToProto(rule, response->add_tiers());
    *response->mutable_update_time() = ToTimestamp(table.updated_at);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::UpdateTierTable(grpc::CallbackServerContext* context,
                                                         const v1::UpdateTierTableRequest* request,
                                                         v1::UpdateTierTableResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    TierTable table;
    for (int i = 0; i < request->tiers_size(); ++i) {
      ASSIGN_OR_RETURN(TierRule rule, FromProto(request->tiers(i), i));
      table.rules.push_back(std::move(rule));
    }
    ASSIGN_OR_RETURN(TierTable saved, membership_.UpdateTiers(std::move(table)));
    for (const TierRule& rule : saved.rules) ToProto(rule, response->add_tiers());
    *response->mutable_update_time() = ToTimestamp(saved.updated_at);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::SignIn(grpc::CallbackServerContext* context, const v1::SignInRequest* request,
                                                v1::SignInResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(SignInResult result, rewards_.SignIn(user_id));
    response->set_day(result.day);
    response->set_points_awarded(result.points_awarded);
    response->set_already_signed_in(result.already_signed_in);
    response->set_balance(result.balance);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MembershipApi::AwardPoints(grpc::CallbackServerContext* context,
                                                     const v1::AwardPointsRequest* request,
                                                     v1::AwardPointsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    std::string user_id = ActingUser();
    if (user_id.empty()) {
      user_id = request->user_id();
    } else if (!request->user_id().empty() && request->user_id() != user_id) {
      return InvalidArgument("userId", "USER_ID_MISMATCH", "a call on behalf of a customer awards that customer");
    }
    AwardReason reason = AwardReason::kProductReview;
    switch (request->reason()) {
      case v1::POINTS_AWARD_REASON_PRODUCT_REVIEW: reason = AwardReason::kProductReview; break;
      default: return InvalidArgument("reason", "AWARD_REASON_INVALID", "name the reason of the award");
    }
    ASSIGN_OR_RETURN(AwardResult result, rewards_.Award(user_id, reason, request->reference_id()));
    response->set_points_awarded(result.points_awarded);
    response->set_duplicate(result.duplicate);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::user
