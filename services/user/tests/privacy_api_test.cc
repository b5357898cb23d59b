// Privacy rights over real in-process gRPC servers: the export archive is gathered from this service's domain and
// from the order, marketing and data hub services' ExportUserData (called as the user service, with server::CallAsync),
// a service that does not answer fails the gathering and names itself, and the customer routes take the user from
// the call (another user's export answers NOT_FOUND; erasure without the password names the field).
#include "services/user/api/privacy_api.h"

#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>

#include "common/server/security.h"
#include "common/server/service_runner.h"
#include "common/status/grpc_status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/user/api/privacy_archive.h"
#include "services/user/tests/fakes.h"
#include "services/user/tests/in_memory_address_store.h"
#include "services/user/tests/in_memory_membership_store.h"
#include "services/user/tests/in_memory_points_store.h"

namespace zhongtai::user {
namespace {

constexpr char kBuyerPhone[] = "13800138000";

// The other services' side: one part each, for the user asked about; records who asked.
class FakeOrderPrivacy : public order::v1::OrderPrivacyService::CallbackService {
 public:
  grpc::ServerUnaryReactor* ExportUserData(grpc::CallbackServerContext* context,
                                           const order::v1::ExportUserDataRequest* request,
                                           order::v1::ExportUserDataResponse* response) override {
    asked_for = request->user_id();
    order::v1::Order* order = response->add_orders();
    order->set_order_id("o_1");
    order->set_user_id(request->user_id());
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  std::string asked_for;
};

class FakeMarketingPrivacy : public marketing::v1::MarketingPrivacyService::CallbackService {
 public:
  grpc::ServerUnaryReactor* ExportUserData(grpc::CallbackServerContext* context,
                                           const marketing::v1::ExportUserDataRequest* request,
                                           marketing::v1::ExportUserDataResponse* response) override {
    asked_for = request->user_id();
    response->add_coupons()->set_coupon_id("cp_1");
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  std::string asked_for;
};

class FakeDatahubPrivacy : public datahub::v1::DatahubPrivacyService::CallbackService {
 public:
  grpc::ServerUnaryReactor* ExportUserData(grpc::CallbackServerContext* context,
                                           const datahub::v1::ExportUserDataRequest* request,
                                           datahub::v1::ExportUserDataResponse* response) override {
    asked_for = request->user_id();
    datahub::v1::UserOrderFact* fact = response->add_order_facts();
    fact->set_order_id("o_1");
    fact->set_total_minor(9900);
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  std::string asked_for;
};

class InMemoryExportStore : public ExportStore {
 public:
  absl::StatusOr<DataExport> CreateOrGetOpen(const DataExport& fresh) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, existing] : exports_) {
      if (existing.user_id == fresh.user_id &&
          ((!fresh.request_id.empty() && existing.request_id == fresh.request_id) ||
           existing.state == ExportState::kPending)) {
        return existing;
      }
    }
    exports_[fresh.export_id] = fresh;
    return fresh;
  }
  absl::StatusOr<DataExport> Get(const std::string& export_id, const std::string& user_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = exports_.find(export_id);
    if (it == exports_.end() || it->second.user_id != user_id) {
      return NotFound("DATA_EXPORT_NOT_FOUND", "no such data export");
    }
    return it->second;
  }
  absl::StatusOr<std::optional<DataExport>> ClaimDue(absl::Time, absl::Duration) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, job] : exports_) {
      if (job.state == ExportState::kPending && !claimed_.count(id)) {
        claimed_.insert(id);
        ++job.attempts;
        return std::optional<DataExport>(job);
      }
    }
    return std::optional<DataExport>();
  }
  absl::Status Complete(const std::string& export_id, const std::string& archive, absl::Time now,
                        absl::Time expires_at) override {
    std::lock_guard<std::mutex> lock(mu_);
    DataExport& job = exports_.at(export_id);
    job.state = ExportState::kReady;
    job.archive = archive;
    job.completed_at = now;
    job.expires_at = expires_at;
    return absl::OkStatus();
  }
  absl::Status GiveUp(const std::string& export_id, bool final, absl::Time now, absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    DataExport& job = exports_.at(export_id);
    claimed_.erase(export_id);
    if (final) {
      job.state = ExportState::kFailed;
      job.completed_at = now;
    }
    return absl::OkStatus();
  }
  absl::StatusOr<int> DeleteExpired(absl::Time) override { return 0; }

 private:
  std::mutex mu_;
  std::map<std::string, DataExport> exports_;
  std::set<std::string> claimed_;
};

class RecordingErasureStore : public ErasureStore {
 public:
  absl::Status EraseAccount(const Erasure& erasure) override {
    erased.push_back(erasure.user_id);
    return absl::OkStatus();
  }
  std::vector<std::string> erased;
};

class ExportIdsInOrder : public ExportIds {
 public:
  std::string NewExportId() override { return "exp_" + std::to_string(++next_); }

 private:
  std::atomic<int> next_{0};
};

struct Fixture {
  Fixture()
      : accounts(store, hasher, clock, ids, testing::TestAccountSettings()),
        points(points_store, clock, PointsSettings{}),
        membership(membership_store, points, clock, MembershipSettings{}),
        addresses(address_store, address_ids, clock) {
    order_server.Start<order::v1::OrderPrivacyService>(&orders);
    marketing_server.Start<marketing::v1::MarketingPrivacyService>(&coupons);
    datahub_server.Start<datahub::v1::DatahubPrivacyService>(&facts);
    // Starting a runner sets the process's identity; the gatherer calls as the user service.
    server::Security user;
    user.service = "user";
    server::SetProcessSecurity(user);

    RegisterCommand buyer{"buyer@example.com", kBuyerPhone, "buyer-password", "买家"};
    absl::StatusOr<User> registered = accounts.Register(buyer);
    REQUIRE(registered.ok());
    user_id = registered->user_id;
    AddressInput home;
    home.recipient_name = "王小明";
    home.recipient_phone = "13911112222";
    home.province_code = "310000";
    home.city_code = "310100";
    home.district_code = "310115";
    home.detail = "世纪大道100号";
    REQUIRE(addresses.Add(user_id, home, "r1").ok());
    REQUIRE(points.Earn({user_id, 300, "order paid", "order-paid:o_1"}).ok());
  }
  ExportSources Sources() {
    ExportSources sources;
    sources.order_address = order_server.address();
    sources.marketing_address = marketing_server.address();
    sources.datahub_address = datahub_server.address();
    sources.call_timeout = absl::Seconds(5);
    return sources;
  }
  absl::StatusOr<std::string> Gather(GrpcArchiveGatherer& gatherer) {
    return async::Await<absl::StatusOr<std::string>>(
        [&](async::Callback<std::string> done) { gatherer.Gather(user_id, clock.Now(), std::move(done)); });
  }

  testing::InMemoryUserStore store;
  testing::FakeHasher hasher;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  Accounts accounts;
  testing::InMemoryPointsStore points_store;
  Points points;
  testing::InMemoryMembershipStore membership_store;
  Membership membership;
  testing::InMemoryAddressStore address_store;
  testing::SequentialAddressIds address_ids;
  AddressBook addresses;
  FakeOrderPrivacy orders;
  FakeMarketingPrivacy coupons;
  FakeDatahubPrivacy facts;
  zhongtai::testing::ApiServer order_server{"order"};
  zhongtai::testing::ApiServer marketing_server{"marketing"};
  zhongtai::testing::ApiServer datahub_server{"datahub"};
  std::string user_id;
};

TEST_CASE("the export archive holds the user's data from this service and from every other one") {
  Fixture f;
  GrpcArchiveGatherer gatherer(f.accounts, f.addresses, f.points, f.membership, f.Sources());
  absl::StatusOr<std::string> gathered = f.Gather(gatherer);
  REQUIRE(gathered.ok());
  v1::UserDataArchive archive;
  REQUIRE(archive.ParseFromString(*gathered));

  CHECK(archive.user_id() == f.user_id);
  CHECK(archive.profile().phone() == kBuyerPhone);
  REQUIRE(archive.addresses_size() == 1);
  CHECK(archive.addresses(0).detail() == "世纪大道100号");
  CHECK(archive.member().points_balance() == 300);
  REQUIRE(archive.points_ledger_size() == 1);
  CHECK(archive.points_ledger(0).points() == 300);
  REQUIRE(archive.orders_size() == 1);
  CHECK(archive.orders(0).order_id() == "o_1");
  REQUIRE(archive.coupons_size() == 1);
  CHECK(archive.coupons(0).coupon_id() == "cp_1");
  REQUIRE(archive.order_facts_size() == 1);
  CHECK(archive.order_facts(0).total_minor() == 9900);
  // Each service was asked about this user (and admitted the call: the proto allows the user service only).
  CHECK(f.orders.asked_for == f.user_id);
  CHECK(f.coupons.asked_for == f.user_id);
  CHECK(f.facts.asked_for == f.user_id);
}

TEST_CASE("a service that does not answer fails the gathering, and the error names it") {
  Fixture f;
  ExportSources sources = f.Sources();
  sources.datahub_address = "127.0.0.1:1";  // nothing listens there
  sources.call_timeout = absl::Seconds(2);
  GrpcArchiveGatherer gatherer(f.accounts, f.addresses, f.points, f.membership, sources);
  absl::StatusOr<std::string> gathered = f.Gather(gatherer);
  REQUIRE_FALSE(gathered.ok());
  CHECK(std::string(gathered.status().message()).find("datahub") != std::string::npos);
}

struct ApiFixture : Fixture {
  ApiFixture()
      : gatherer(accounts, addresses, points, membership, Sources()),
        exports(export_store, gatherer, export_ids, clock),
        erasure(accounts, erasure_store, token_revoker, clock),
        api(exports, erasure, user_server.workers()) {
    stub = user_server.Start<v1::PrivacyService>(&api);
    server::Security user;
    user.service = "user";
    server::SetProcessSecurity(user);
  }
  struct Call {
    Call(const std::string& user) { ::zhongtai::testing::CallAs(context, "gateway", user); }
    grpc::ClientContext context;
    absl::Status Result(const grpc::Status& status) { return FromGrpcStatus(status, context); }
  };

  InMemoryExportStore export_store;
  ExportIdsInOrder export_ids;
  GrpcArchiveGatherer gatherer;
  DataExports exports;
  RecordingErasureStore erasure_store;
  testing::RecordingTokenRevoker token_revoker;
  AccountErasure erasure;
  zhongtai::testing::ApiServer user_server{"user"};
  PrivacyApi api;
  std::unique_ptr<v1::PrivacyService::Stub> stub;
};

TEST_CASE("a customer downloads their own export once ready, and another customer's id answers NOT_FOUND") {
  ApiFixture f;
  v1::CreateDataExportRequest create;
  create.set_request_id("key-1");
  v1::CreateDataExportResponse created;
  ApiFixture::Call create_call(f.user_id);
  REQUIRE(f.stub->CreateDataExport(&create_call.context, create, &created).ok());
  CHECK(created.data_export().state() == v1::DATA_EXPORT_STATE_PENDING);
  REQUIRE(*f.exports.RunNext());

  v1::GetDataExportRequest get;
  get.set_export_id(created.data_export().export_id());
  v1::GetDataExportResponse mine;
  ApiFixture::Call mine_call(f.user_id);
  REQUIRE(f.stub->GetDataExport(&mine_call.context, get, &mine).ok());
  CHECK(mine.data_export().state() == v1::DATA_EXPORT_STATE_READY);
  CHECK(mine.archive().profile().phone() == kBuyerPhone);
  CHECK(mine.archive().orders_size() == 1);

  v1::GetDataExportResponse theirs;
  ApiFixture::Call other_call("u_someone_else");
  absl::Status other = other_call.Result(f.stub->GetDataExport(&other_call.context, get, &theirs));
  CHECK(other.code() == absl::StatusCode::kNotFound);
  CHECK(ReasonOf(other) == "DATA_EXPORT_NOT_FOUND");
  CHECK_FALSE(theirs.has_archive());
}

TEST_CASE("erasure through the API needs the password and names the field when it is missing") {
  ApiFixture f;
  v1::DeleteMeRequest request;
  v1::DeleteMeResponse response;
  ApiFixture::Call missing_call(f.user_id);
  absl::Status missing = missing_call.Result(f.stub->DeleteMe(&missing_call.context, request, &response));
  CHECK(missing.code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(missing) == "CURRENT_PASSWORD_REQUIRED");
  CHECK(FieldOf(missing) == "currentPassword");
  CHECK(f.erasure_store.erased.empty());
  CHECK(f.token_revoker.revoked().empty());

  request.set_current_password("buyer-password");
  ApiFixture::Call call(f.user_id);
  REQUIRE(f.stub->DeleteMe(&call.context, request, &response).ok());
  CHECK(response.erased());
  CHECK(f.erasure_store.erased == std::vector<std::string>{f.user_id});
  // The access tokens issued so far stop at the moment of the erasure.
  REQUIRE(f.token_revoker.revoked().count(f.user_id) == 1);
  CHECK(f.token_revoker.revoked().at(f.user_id) == f.clock.Now());
}

TEST_CASE("when the access tokens cannot be revoked nothing is erased and the erasure can be retried") {
  ApiFixture f;
  f.token_revoker.fail = true;
  v1::DeleteMeRequest request;
  request.set_current_password("buyer-password");
  v1::DeleteMeResponse response;
  ApiFixture::Call call(f.user_id);
  absl::Status failed = call.Result(f.stub->DeleteMe(&call.context, request, &response));
  CHECK(failed.code() == absl::StatusCode::kUnavailable);
  CHECK(f.erasure_store.erased.empty());

  f.token_revoker.fail = false;
  ApiFixture::Call retry(f.user_id);
  REQUIRE(f.stub->DeleteMe(&retry.context, request, &response).ok());
  CHECK(f.erasure_store.erased == std::vector<std::string>{f.user_id});
}

}  // namespace
}  // namespace zhongtai::user
