// MarketingService's flash-sale RPCs: creation (admin), the current sales, the purchase and its poll (the calling
// customer). Mapping proto <-> domain is here too; the rules are in domain/flash_sale_rules.h.
#include <algorithm>

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/marketing/api/campaign_api.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/domain/flash_sale_rules.h"

namespace zhongtai::marketing {
namespace {

absl::Status NotServed() { return Internal("INTERNAL", "flash sales are not served by this process"); }

absl::StatusOr<FlashSale> FlashSaleFromProto(const v1::FlashSale& in) {
  FlashSale sale;
  sale.name = in.name();
  sale.sku_id = in.sku_id();
  sale.sale_price = in.sale_price().amount_minor();
  sale.currency = in.sale_price().currency();
  sale.quantity = in.quantity();
  sale.per_user_limit = in.per_user_limit();
  if (in.has_start_time()) {
    if (!proto::IsValidTimestamp(in.start_time())) {
      return InvalidArgument("flashSale.startTime", "INVALID_TIMESTAMP", "start time is not a valid timestamp");
    }
    sale.start_time = proto::FromTimestamp(in.start_time());
  }
  if (!in.has_end_time()) return InvalidArgument("flashSale.endTime", "END_TIME_MISSING", "end time is required");
  if (!proto::IsValidTimestamp(in.end_time())) {
    return InvalidArgument("flashSale.endTime", "INVALID_TIMESTAMP", "end time is not a valid timestamp");
  }
  sale.end_time = proto::FromTimestamp(in.end_time());
  return sale;
}

v1::FlashSaleStatus ToProto(FlashSaleStatus status) {
  switch (status) {
    case FlashSaleStatus::kReserving: return v1::FLASH_SALE_STATUS_RESERVING;
    case FlashSaleStatus::kActive: return v1::FLASH_SALE_STATUS_ACTIVE;
    case FlashSaleStatus::kFailed: return v1::FLASH_SALE_STATUS_FAILED;
    case FlashSaleStatus::kSettled: return v1::FLASH_SALE_STATUS_SETTLED;
  }
  return v1::FLASH_SALE_STATUS_UNSPECIFIED;
}

v1::FlashPurchaseStatus ToProto(PurchaseStatus status) {
  switch (status) {
    case PurchaseStatus::kPending: return v1::FLASH_PURCHASE_STATUS_PENDING;
    case PurchaseStatus::kOrdered: return v1::FLASH_PURCHASE_STATUS_ORDERED;
    case PurchaseStatus::kPaid: return v1::FLASH_PURCHASE_STATUS_PAID;
    case PurchaseStatus::kReleased: return v1::FLASH_PURCHASE_STATUS_RELEASED;
  }
  return v1::FLASH_PURCHASE_STATUS_UNSPECIFIED;
}

void FlashSaleToProto(const FlashSale& sale, v1::FlashSale* out) {
  out->set_sale_id(sale.sale_id);
  out->set_name(sale.name);
  out->set_sku_id(sale.sku_id);
  proto::SetMoney(out->mutable_sale_price(), sale.currency, sale.sale_price);
  out->set_quantity(sale.quantity);
  out->set_per_user_limit(sale.per_user_limit);
  *out->mutable_start_time() = proto::ToTimestamp(sale.start_time);
  *out->mutable_end_time() = proto::ToTimestamp(sale.end_time);
  out->set_status(ToProto(sale.status));
  out->set_sold_quantity(sale.sold_quantity);
  *out->mutable_create_time() = proto::ToTimestamp(sale.create_time);
  out->set_version(sale.version);
}

absl::StatusOr<FlashSaleChange> FlashSaleChangeFromProto(const v1::UpdateFlashSaleRequest& in) {
  FlashSaleChange change;
  if (in.has_sale_price()) {
    change.currency = in.sale_price().currency();
    change.sale_price = in.sale_price().amount_minor();
  }
  if (in.has_quantity()) change.quantity = in.quantity();
  if (in.has_per_user_limit()) change.per_user_limit = in.per_user_limit();
  if (in.has_start_time()) {
    if (!proto::IsValidTimestamp(in.start_time())) {
      return InvalidArgument("flashSale.startTime", "INVALID_TIMESTAMP", "start time is not a valid timestamp");
    }
    change.start_time = proto::FromTimestamp(in.start_time());
  }
  if (in.has_end_time()) {
    if (!proto::IsValidTimestamp(in.end_time())) {
      return InvalidArgument("flashSale.endTime", "INVALID_TIMESTAMP", "end time is not a valid timestamp");
    }
    change.end_time = proto::FromTimestamp(in.end_time());
  }
  change.end_now = in.end_now();
  if (in.version() < 0) return InvalidArgument("version", "VERSION_INVALID", "version must not be negative");
  change.expected_version = in.version();
  return change;
}

void PurchaseToProto(const FlashPurchase& purchase, v1::FlashPurchase* out) {
  out->set_purchase_id(purchase.purchase_id);
  out->set_sale_id(purchase.sale_id);
  out->set_order_id(purchase.order_id);
  out->set_status(ToProto(purchase.status));
}

}  // namespace

grpc::ServerUnaryReactor* MarketingApi::CreateFlashSale(grpc::CallbackServerContext* context,
                                                        const v1::CreateFlashSaleRequest* request,
                                                        v1::CreateFlashSaleResponse* response) {
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    if (flash_sales_ == nullptr) return finish(NotServed());
    if (!request->has_flash_sale()) {
      return finish(InvalidArgument("flashSale", "FIELD_REQUIRED", "flash sale is required"));
    }
    absl::StatusOr<FlashSale> draft = FlashSaleFromProto(request->flash_sale());
    if (!draft.ok()) return finish(draft.status());
    flash_sales_->CreateChecked(*std::move(draft), request->request_id(), request->allow_conflicts(),
                                [response, finish = std::move(finish)](absl::StatusOr<CreatedFlashSale> created) {
                                  if (created.ok()) {
                                    FlashSaleToProto(created->sale, response->mutable_flash_sale());
                                    for (const CampaignConflict& c : created->conflicts)
                                      ConflictToProto(c, response->add_conflicts());
                                  }
                                  finish(created.status());
                                });
  });
}

grpc::ServerUnaryReactor* MarketingApi::UpdateFlashSale(grpc::CallbackServerContext* context,
                                                        const v1::UpdateFlashSaleRequest* request,
                                                        v1::UpdateFlashSaleResponse* response) {
  // Blocking: it waits for the product center and takes the calendar's lock.
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (flash_sales_ == nullptr) return NotServed();
    if (request->sale_id().empty()) return InvalidArgument("saleId", "FIELD_REQUIRED", "sale id is required");
    ASSIGN_OR_RETURN(FlashSaleChange change, FlashSaleChangeFromProto(*request));
    ASSIGN_OR_RETURN(CreatedFlashSale updated,
                     flash_sales_->Update(request->sale_id(), change, request->allow_conflicts()));
    FlashSaleToProto(updated.sale, response->mutable_flash_sale());
    for (const CampaignConflict& c : updated.conflicts) ConflictToProto(c, response->add_conflicts());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::ListFlashSales(grpc::CallbackServerContext* context,
                                                       const v1::ListFlashSalesRequest*,
                                                       v1::ListFlashSalesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (flash_sales_ == nullptr) return NotServed();
    ASSIGN_OR_RETURN(std::vector<CurrentFlashSale> current, flash_sales_->ListCurrent());
    for (const CurrentFlashSale& c : current) {
      v1::FlashSale* out = response->add_flash_sales();
      FlashSaleToProto(c.sale, out);
      out->set_remaining_quantity(std::max<int64_t>(0, c.remaining.value_or(0)));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::PurchaseFlashSale(grpc::CallbackServerContext* context,
                                                          const v1::PurchaseFlashSaleRequest* request,
                                                          v1::PurchaseFlashSaleResponse* response) {
  // The worker only prepares the admission: Redis answers on the pipeline's thread, which finishes the call.
  return server::RunAsync(workers_, context, [=](server::FinishCall finish) {
    if (flash_sales_ == nullptr) return finish(NotServed());
    absl::StatusOr<std::string> user_id = server::CallingUserId();
    if (!user_id.ok()) return finish(user_id.status());
    flash_sales_->PurchaseAsync(*user_id, request->sale_id(), request->request_id(),
                                [response, finish = std::move(finish)](absl::StatusOr<FlashPurchase> purchase) {
                                  if (purchase.ok()) PurchaseToProto(*purchase, response->mutable_purchase());
                                  finish(purchase.status());
                                });
  });
}

grpc::ServerUnaryReactor* MarketingApi::GetFlashSalePurchase(grpc::CallbackServerContext* context,
                                                             const v1::GetFlashSalePurchaseRequest* request,
                                                             v1::GetFlashSalePurchaseResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (flash_sales_ == nullptr) return NotServed();
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(FlashPurchase purchase,
                     flash_sales_->GetPurchase(user_id, request->sale_id(), request->purchase_id()));
    PurchaseToProto(purchase, response->mutable_purchase());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
