// zhongtai.marketing.v1.CampaignService: budgets (internal, the order center), the campaign calendar, issuing coupons
// to a segment and A/B experiments (admin routes). Each concern's handlers are in its own file.
#pragma once

#include "common/server/worker_pool.h"
#include "services/marketing/domain/budget.h"
#include "services/marketing/domain/campaign_calendar.h"
#include "services/marketing/domain/coupon_issue.h"
#include "services/marketing/domain/experiment.h"
#include "zhongtai/marketing/v1/campaigns.grpc.pb.h"

namespace zhongtai::marketing {

class CampaignApi : public v1::CampaignService::CallbackService {
 public:
  CampaignApi(Budgets& budgets, CampaignCalendar& calendar, CouponIssuer& issuer, Experiments& experiments,
              server::WorkerPool& workers)
      : budgets_(budgets), calendar_(calendar), issuer_(issuer), experiments_(experiments), workers_(workers) {}

  grpc::ServerUnaryReactor* ChargeBudgets(grpc::CallbackServerContext* context, const v1::ChargeBudgetsRequest* request,
                                          v1::ChargeBudgetsResponse* response) override;
  grpc::ServerUnaryReactor* ReleaseBudgets(grpc::CallbackServerContext* context,
                                           const v1::ReleaseBudgetsRequest* request,
                                           v1::ReleaseBudgetsResponse* response) override;
  grpc::ServerUnaryReactor* GetCampaignCalendar(grpc::CallbackServerContext* context,
                                                const v1::GetCampaignCalendarRequest* request,
                                                v1::GetCampaignCalendarResponse* response) override;
  grpc::ServerUnaryReactor* IssueCoupons(grpc::CallbackServerContext* context, const v1::IssueCouponsRequest* request,
                                         v1::IssueCouponsResponse* response) override;
  grpc::ServerUnaryReactor* CreateExperiment(grpc::CallbackServerContext* context,
                                             const v1::CreateExperimentRequest* request,
                                             v1::CreateExperimentResponse* response) override;
  grpc::ServerUnaryReactor* ListExperiments(grpc::CallbackServerContext* context,
                                            const v1::ListExperimentsRequest* request,
                                            v1::ListExperimentsResponse* response) override;

 private:
  Budgets& budgets_;
  CampaignCalendar& calendar_;
  CouponIssuer& issuer_;
  Experiments& experiments_;
  server::WorkerPool& workers_;
};

// The conflicts of a promotion, as CreatePromotion's warnings and the calendar show them.
void ConflictToProto(const CampaignConflict& conflict, v1::CampaignConflict* out);

}  // namespace zhongtai::marketing
