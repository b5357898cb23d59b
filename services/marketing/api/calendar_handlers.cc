// CampaignService's calendar: every source's items (promotions, coupon templates, flash sales) on one timeline (admin).
#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/marketing/api/campaign_api.h"

namespace zhongtai::marketing {
namespace {

constexpr const char* kLayerNames[] = {"ITEM", "ORDER", "COUPON"};
constexpr const char* kExclusivityNames[] = {"NONE", "WITHIN_LAYER", "ALL"};

v1::CalendarItemKind KindToProto(CalendarItemKind kind) {
  switch (kind) {
    case CalendarItemKind::kCouponTemplate: return v1::CALENDAR_ITEM_KIND_COUPON_TEMPLATE;
    case CalendarItemKind::kFlashSale: return v1::CALENDAR_ITEM_KIND_FLASH_SALE;
    case CalendarItemKind::kPromotion: break;
  }
  return v1::CALENDAR_ITEM_KIND_PROMOTION;
}

void ScopeToProto(const PromotionScope& in, v1::PromotionScope* out) {
  out->set_all_products(in.all_products);
  for (const std::string& id : in.category_ids) out->add_category_ids(id);
  for (const std::string& id : in.brand_ids) out->add_brand_ids(id);
  for (const std::string& id : in.sku_ids) out->add_sku_ids(id);
  for (const std::string& id : in.excluded_category_ids) out->add_excluded_category_ids(id);
  for (const std::string& id : in.excluded_brand_ids) out->add_excluded_brand_ids(id);
  for (const std::string& id : in.excluded_sku_ids) out->add_excluded_sku_ids(id);
}

absl::StatusOr<absl::Time> ReadBound(bool present, const google::protobuf::Timestamp& ts, const char* field) {
  if (!present) return InvalidArgument(field, "CALENDAR_RANGE_INVALID", absl::StrCat(field, " is required"));
  if (!proto::IsValidTimestamp(ts)) {
    return InvalidArgument(field, "CALENDAR_RANGE_INVALID", absl::StrCat(field, " is out of range"));
  }
  return proto::FromTimestamp(ts);
}

}  // namespace

void ConflictToProto(const CampaignConflict& c, v1::CampaignConflict* out) {
  out->set_kind(KindToProto(c.kind));
  out->set_id(c.id);
  out->set_name(c.name);
  *out->mutable_overlap_start_time() = proto::ToTimestamp(c.overlap_start);
  *out->mutable_overlap_end_time() = proto::ToTimestamp(c.overlap_end);
}

grpc::ServerUnaryReactor* CampaignApi::GetCampaignCalendar(grpc::CallbackServerContext* context,
                                                           const v1::GetCampaignCalendarRequest* request,
                                                           v1::GetCampaignCalendarResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(absl::Time from, ReadBound(request->has_from(), request->from(), "from"));
    ASSIGN_OR_RETURN(absl::Time to, ReadBound(request->has_to(), request->to(), "to"));
    ASSIGN_OR_RETURN(std::vector<CalendarItem> items, calendar_.Between(from, to));
    for (const CalendarItem& item : items) {
      v1::CalendarItem* out = response->add_items();
      out->set_kind(KindToProto(item.kind));
      out->set_id(item.id);
      out->set_name(item.name);
      *out->mutable_start_time() = proto::ToTimestamp(item.start);
      *out->mutable_end_time() = proto::ToTimestamp(item.end);
      out->set_status(!item.status.empty() ? item.status : item.paused ? "PAUSED" : "ACTIVE");
      ScopeToProto(item.scope, out->mutable_scope());
      out->set_exclusivity(kExclusivityNames[static_cast<int>(item.exclusivity)]);
      out->set_layer(kLayerNames[static_cast<int>(item.layer)]);
    }
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
