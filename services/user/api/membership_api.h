// zhongtai.user.v1.MembershipService: the points ledger's and the tier table's routes, and the internal RPCs. Maps
// proto <-> domain and runs the domain on the worker pool. The customer is always the call's verified user.
#pragma once

#include "common/server/worker_pool.h"
#include "services/user/domain/lifecycle.h"
#include "services/user/domain/membership.h"
#include "services/user/domain/points.h"
#include "services/user/domain/rewards.h"
#include "services/user/domain/tags.h"
#include "zhongtai/user/v1/membership.grpc.pb.h"

namespace zhongtai::user {

class MembershipApi : public v1::MembershipService::CallbackService {
 public:
  MembershipApi(Points& points, Membership& membership, Rewards& rewards, Tags& tags, Lifecycle& lifecycle,
                server::WorkerPool& workers)
      : points_(points),
        membership_(membership),
        rewards_(rewards),
        tags_(tags),
        lifecycle_(lifecycle),
        workers_(workers) {}

  grpc::ServerUnaryReactor* GetMyPoints(grpc::CallbackServerContext* context, const v1::GetMyPointsRequest* request,
                                        v1::GetMyPointsResponse* response) override;
  grpc::ServerUnaryReactor* HoldPoints(grpc::CallbackServerContext* context, const v1::HoldPointsRequest* request,
                                       v1::HoldPointsResponse* response) override;
  grpc::ServerUnaryReactor* CommitPoints(grpc::CallbackServerContext* context, const v1::CommitPointsRequest* request,
                                         v1::CommitPointsResponse* response) override;
  grpc::ServerUnaryReactor* ReleasePoints(grpc::CallbackServerContext* context, const v1::ReleasePointsRequest* request,
                                          v1::ReleasePointsResponse* response) override;
  grpc::ServerUnaryReactor* ReturnPoints(grpc::CallbackServerContext* context, const v1::ReturnPointsRequest* request,
                                         v1::ReturnPointsResponse* response) override;
  grpc::ServerUnaryReactor* GetMember(grpc::CallbackServerContext* context, const v1::GetMemberRequest* request,
                                      v1::GetMemberResponse* response) override;
  grpc::ServerUnaryReactor* GetTierTable(grpc::CallbackServerContext* context, const v1::GetTierTableRequest* request,
                                         v1::GetTierTableResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTierTable(grpc::CallbackServerContext* context,
                                            const v1::UpdateTierTableRequest* request,
                                            v1::UpdateTierTableResponse* response) override;
  grpc::ServerUnaryReactor* SignIn(grpc::CallbackServerContext* context, const v1::SignInRequest* request,
                                   v1::SignInResponse* response) override;
  grpc::ServerUnaryReactor* AwardPoints(grpc::CallbackServerContext* context, const v1::AwardPointsRequest* request,
                                        v1::AwardPointsResponse* response) override;

 private:
  Points& points_;
  Membership& membership_;
  Rewards& rewards_;
  Tags& tags_;
  Lifecycle& lifecycle_;
  server::WorkerPool& workers_;
};

// Domain -> proto, also for GET /v1/users/me.
void ToProto(const MemberView& member, v1::Member* out);
// Domain -> proto, also for the data export's archive.
void ToProto(const LedgerEntry& entry, v1::PointsEntry* out);

}  // namespace zhongtai::user
