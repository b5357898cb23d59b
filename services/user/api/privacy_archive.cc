#include "services/user/api/privacy_archive.h"

#include <mutex>
#include <utility>

#include "common/proto/convert.h"
#include "common/server/async_call.h"
#include "common/server/client.h"
#include "common/status/status.h"
#include "services/user/api/membership_api.h"
#include "services/user/api/user_api.h"
#include "zhongtai/user/v1/privacy.pb.h"

namespace zhongtai::user {
namespace {

// This service's part, read from the domain.
absl::Status AddOwnPart(Accounts& accounts, AddressBook& addresses, Points& points, Membership& membership,
                        const std::string& user_id, v1::UserDataArchive* archive) {
  ASSIGN_OR_RETURN(User user, accounts.GetMe(user_id));
  ToProto(user, archive->mutable_profile());
  ASSIGN_OR_RETURN(std::vector<Address> book, addresses.List(user_id));
  for (const Address& address : book) ToProto(address, archive->add_addresses());
  ASSIGN_OR_RETURN(MemberView member, membership.GetMember(user_id));
  ToProto(member, archive->mutable_member());
  int64_t before_seq = 0;
  do {
    ASSIGN_OR_RETURN(PointsSummary summary,
                     points.Summary(user_id, absl::ZeroDuration(), kMaxLedgerPageSize, before_seq));
    for (const LedgerEntry& entry : summary.page.entries) ToProto(entry, archive->add_points_ledger());
    before_seq = summary.page.next_before_seq;
  } while (before_seq != 0);
  return absl::OkStatus();
}

// The archive under construction while the other services answer; the last answer (or the first failure) finishes.
class PendingArchive {
 public:
  PendingArchive(v1::UserDataArchive archive, int parts, async::Callback<std::string> done)
      : archive_(std::move(archive)), parts_(parts), done_(std::move(done)) {}

  template <typename Response>
  std::function<void(absl::StatusOr<Response>)> Part(const std::shared_ptr<PendingArchive>& self, const char* service,
                                                     std::function<void(Response&, v1::UserDataArchive*)> merge) {
    return [self, service, merge = std::move(merge)](absl::StatusOr<Response> response) {
      std::unique_lock<std::mutex> lock(self->mu_);
      if (response.ok()) {
        merge(*response, &self->archive_);
      } else if (self->error_.ok()) {
        // Which service failed, and how; the status keeps its reason.
        self->error_ = absl::Status(response.status().code(),
                                    std::string(service) + " export: " + std::string(response.status().message()));
      }
      if (--self->parts_ > 0) return;
      absl::StatusOr<std::string> result =
          self->error_.ok() ? absl::StatusOr<std::string>(self->archive_.SerializeAsString()) : self->error_;
      lock.unlock();
      self->done_(std::move(result));
    };
  }

 private:
  std::mutex mu_;
  v1::UserDataArchive archive_;
  int parts_;
  absl::Status error_;
  async::Callback<std::string> done_;
};

}  // namespace

GrpcArchiveGatherer::GrpcArchiveGatherer(Accounts& accounts, AddressBook& addresses, Points& points,
                                         Membership& membership, const ExportSources& sources)
    : accounts_(accounts),
      addresses_(addresses),
      points_(points),
      membership_(membership),
      call_timeout_(sources.call_timeout),
      order_(order::v1::OrderPrivacyService::NewStub(
          server::MakeChannel(sources.order_address, order::v1::OrderPrivacyService::service_full_name()))),
      marketing_(marketing::v1::MarketingPrivacyService::NewStub(
          server::MakeChannel(sources.marketing_address, marketing::v1::MarketingPrivacyService::service_full_name()))),
      datahub_(datahub::v1::DatahubPrivacyService::NewStub(
          server::MakeChannel(sources.datahub_address, datahub::v1::DatahubPrivacyService::service_full_name()))) {}

void GrpcArchiveGatherer::Gather(const std::string& user_id, absl::Time as_of, async::Callback<std::string> done) {
  v1::UserDataArchive archive;
  archive.set_user_id(user_id);
  *archive.mutable_create_time() = proto::ToTimestamp(as_of);
  if (absl::Status own = AddOwnPart(accounts_, addresses_, points_, membership_, user_id, &archive); !own.ok()) {
    return done(own);
  }
  auto pending = std::make_shared<PendingArchive>(std::move(archive), 3, std::move(done));

  order::v1::ExportUserDataRequest order_request;
  order_request.set_user_id(user_id);
  server::CallAsync(order_.get()->async(), &order::v1::OrderPrivacyService::Stub::async::ExportUserData,
                    std::move(order_request), call_timeout_,
                    pending->Part<order::v1::ExportUserDataResponse>(
                        pending, "order", [](order::v1::ExportUserDataResponse& part, v1::UserDataArchive* out) {
                          out->mutable_orders()->Swap(part.mutable_orders());
                        }));

  marketing::v1::ExportUserDataRequest marketing_request;
  marketing_request.set_user_id(user_id);
  server::CallAsync(
      marketing_.get()->async(), &marketing::v1::MarketingPrivacyService::Stub::async::ExportUserData,
      std::move(marketing_request), call_timeout_,
      pending->Part<marketing::v1::ExportUserDataResponse>(
          pending, "marketing", [](marketing::v1::ExportUserDataResponse& part, v1::UserDataArchive* out) {
            out->mutable_coupons()->Swap(part.mutable_coupons());
          }));

  datahub::v1::ExportUserDataRequest datahub_request;
  datahub_request.set_user_id(user_id);
  server::CallAsync(datahub_.get()->async(), &datahub::v1::DatahubPrivacyService::Stub::async::ExportUserData,
                    std::move(datahub_request), call_timeout_,
                    pending->Part<datahub::v1::ExportUserDataResponse>(
                        pending, "datahub", [](datahub::v1::ExportUserDataResponse& part, v1::UserDataArchive* out) {
                          out->mutable_order_facts()->Swap(part.mutable_order_facts());
                          out->mutable_behaviour_events()->Swap(part.mutable_behaviour_events());
                          out->set_behaviour_event_count(part.behaviour_event_count());
                          out->set_behaviour_events_truncated(part.behaviour_events_truncated());
                        }));
}

}  // namespace zhongtai::user
