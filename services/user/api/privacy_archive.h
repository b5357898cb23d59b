// The export worker's ArchiveGatherer: this service's part of a user's data (profile, addresses, membership, the
// points ledger) read from the domain, and every other service's part from its ExportUserData RPC (order, marketing,
// data hub), called at once with server::CallAsync. The archive is a serialized zhongtai.user.v1.UserDataArchive.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "services/user/domain/accounts.h"
#include "services/user/domain/addresses.h"
#include "services/user/domain/membership.h"
#include "services/user/domain/points.h"
#include "services/user/domain/privacy_ports.h"
#include "zhongtai/datahub/v1/privacy.grpc.pb.h"
#include "zhongtai/marketing/v1/privacy.grpc.pb.h"
#include "zhongtai/order/v1/privacy.grpc.pb.h"

namespace zhongtai::user {

// Where the other services listen ("host:port" or "dns:///name:port").
struct ExportSources {
  std::string order_address;
  std::string marketing_address;
  std::string datahub_address;
  // Each service's answer may take this long.
  absl::Duration call_timeout = absl::Seconds(20);
};

class GrpcArchiveGatherer : public ArchiveGatherer {
 public:
  GrpcArchiveGatherer(Accounts& accounts, AddressBook& addresses, Points& points, Membership& membership,
                      const ExportSources& sources);

  void Gather(const std::string& user_id, absl::Time as_of, async::Callback<std::string> done) override;

 private:
  Accounts& accounts_;
  AddressBook& addresses_;
  Points& points_;
  Membership& membership_;
  absl::Duration call_timeout_;
  std::unique_ptr<order::v1::OrderPrivacyService::Stub> order_;
  std::unique_ptr<marketing::v1::MarketingPrivacyService::Stub> marketing_;
  std::unique_ptr<datahub::v1::DatahubPrivacyService::Stub> datahub_;
};

}  // namespace zhongtai::user
