#include "services/gateway/transcoder.h"

#include <catch2/catch.hpp>
#include <map>

#include "common/status/details.h"
#include "common/status/status.h"
#include "services/gateway/authentication.h"
#include "services/gateway/errors.h"
#include "services/gateway/routes.h"
#include "services/gateway/trace_context.h"
#include "zhongtai/datahub/v1/datahub.pb.h"
#include "zhongtai/order/v1/order.pb.h"
#include "zhongtai/product/v1/product.pb.h"
#include "zhongtai/user/v1/member_admin.pb.h"

namespace zhongtai::gateway {
namespace {

const RouteTable& Table() {
  static const RouteTable table = *RouteTable::Build(RouteTable::SuiteServices());
  return table;
}

const Route& RouteFor(const std::string& method, const std::string& path,
                      std::vector<PathBinding>* bindings = nullptr) {
  RouteMatch m = Table().Match(method, path);
  REQUIRE(m.kind == RouteMatch::Kind::kFound);
  if (bindings) *bindings = m.bindings;
  return *m.route;
}

// Tokens for the fake verifier: "customer:<id>", "admin:<id>", "expired", anything else is tampered.
absl::StatusOr<auth::Claims> FakeVerify(absl::string_view token) {
  if (token == "expired") return Error(absl::StatusCode::kUnauthenticated, "TOKEN_EXPIRED", "expired");
  auto colon = token.find(':');
  if (colon == absl::string_view::npos) return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID", "bad");
  auth::Claims claims;
  claims.role = std::string(token.substr(0, colon));
  claims.subject = std::string(token.substr(colon + 1));
  return claims;
}

TEST_CASE("body, query and path fill the request: int64 and enums follow proto3 JSON") {
  std::vector<PathBinding> bindings;
  const Route& route = RouteFor("POST", "/v1/admin/products");
  zhongtai::product::v1::CreateProductRequest request;
  RequestParts parts;
  parts.body =
      R"({"title":"Tea","categoryId":"c1","skus":[{"skuCode":"T1","price":{"currency":"CNY","amountMinor":"1999"},"initialStock":5}]})";
  parts.idempotency_key = "create-tea-1";
  REQUIRE(BuildRequest(route, parts, &request).ok());
  CHECK(request.title() == "Tea");
  CHECK(request.category_id() == "c1");
  REQUIRE(request.skus_size() == 1);
  CHECK(request.skus(0).price().amount_minor() == 1999);
  CHECK(request.skus(0).initial_stock() == 5);

  const Route& list = RouteFor("GET", "/v1/products");
  zhongtai::product::v1::ListProductsRequest query_request;
  parts = {};
  parts.query = "pageSize=10&categoryId=c%201&q=green+tea&page_token=abc";
  REQUIRE(BuildRequest(list, parts, &query_request).ok());
  CHECK(query_request.page_size() == 10);
  CHECK(query_request.category_id() == "c 1");
  CHECK(query_request.q() == "green tea");
  CHECK(query_request.page_token() == "abc");

  const Route& dashboard = RouteFor("GET", "/v1/admin/analytics/dashboard");
  zhongtai::datahub::v1::GetDashboardRequest dashboard_request;
  parts = {};
  parts.query = "startTime=2024-01-01T00:00:00Z";
  REQUIRE(BuildRequest(dashboard, parts, &dashboard_request).ok());
  CHECK(dashboard_request.start_time().seconds() == 1704067200);

  const Route& get = RouteFor("GET", "/v1/products/p%2F1", &bindings);
  zhongtai::product::v1::GetProductRequest get_request;
  parts = {};
  parts.bindings = bindings;
  REQUIRE(BuildRequest(get, parts, &get_request).ok());
  CHECK(get_request.product_id() == "p/1");
}

TEST_CASE("bad JSON is 400 INVALID_JSON with the parser's message") {
  const Route& route = RouteFor("POST", "/v1/admin/products");
  auto build = [&](const std::string& body) {
    zhongtai::product::v1::CreateProductRequest request;
    RequestParts parts;
    parts.body = body;
    parts.idempotency_key = "create-1";
    return BuildRequest(route, parts, &request);
  };
  for (const char* body : {"{", "{\"title\":}", "[1,2]", "not json",
                           R"({"skus":[{"initialStock":"many"}]})",  // wrong type
                           R"({"title":{"a":1}})",                   // wrong type
                           R"({"bogus":1})",                         // unknown field
                           R"({"skus":[{"colour":"red"}]})"}) {      // unknown nested field
    INFO(body);
    absl::Status status = build(body);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(status) == "INVALID_JSON");
    CHECK_FALSE(status.message().empty());
    CHECK(HttpStatusOf(status.code()) == 400);
  }
  absl::Status unknown = build(R"({"bogus":1})");
  CHECK(std::string(unknown.message()).find("bogus") != std::string::npos);
  CHECK(build("").ok());  // no body is an empty request
}

TEST_CASE("query parameters are checked") {
  const Route& list = RouteFor("GET", "/v1/products");
  auto build = [&](const std::string& query) {
    zhongtai::product::v1::ListProductsRequest request;
    RequestParts parts;
    parts.query = query;
    return BuildRequest(list, parts, &request);
  };
  CHECK(ReasonOf(build("pageSize=ten")) == "INVALID_QUERY_PARAMETER");
  CHECK(ReasonOf(build("pageSize=1&pageSize=2")) == "INVALID_QUERY_PARAMETER");
  absl::Status unknown = build("colour=red");
  CHECK(ReasonOf(unknown) == "UNKNOWN_QUERY_PARAMETER");
  CHECK(FieldOf(unknown) == "colour");
  CHECK(ReasonOf(build("q=%zz")) == "INVALID_QUERY_PARAMETER");
  // Not UTF-8 once decoded: the upstream could not parse the request (it answered 500); refused here instead.
  CHECK(ReasonOf(build("q=%FF")) == "INVALID_QUERY_PARAMETER");
  CHECK(ReasonOf(build("q=%C0%AF")) == "INVALID_QUERY_PARAMETER");     // overlong '/'
  CHECK(ReasonOf(build("q=%ED%A0%80")) == "INVALID_QUERY_PARAMETER");  // a surrogate
  CHECK(ReasonOf(build("%FF=1")) == "INVALID_QUERY_PARAMETER");
  CHECK(build("q=%E7%BB%BF%E8%8C%B6").ok());  // 绿茶

  std::vector<PathBinding> bindings;
  const Route& get = RouteFor("GET", "/v1/products/p%FF", &bindings);
  zhongtai::product::v1::GetProductRequest get_request;
  RequestParts parts;
  parts.bindings = bindings;
  absl::Status path = BuildRequest(get, parts, &get_request);
  CHECK(ReasonOf(path) == "INVALID_PATH_PARAMETER");
  CHECK(FieldOf(path) == "productId");
}

TEST_CASE("a client cannot name a user: requests have no user id, the upstream takes it from the token") {
  std::vector<PathBinding> bindings;
  const Route& place = RouteFor("POST", "/v1/orders");
  zhongtai::order::v1::PlaceOrderRequest request;
  RequestParts parts;
  parts.body = R"({"userId":"victim","lines":[{"skuId":"s1","quantity":"2"}]})";
  parts.idempotency_key = "place-1";
  CHECK(ReasonOf(BuildRequest(place, parts, &request)) == "INVALID_JSON");
  parts.body = R"({"lines":[{"skuId":"s1","quantity":"2"}]})";
  REQUIRE(BuildRequest(place, parts, &request).ok());
  CHECK(request.lines(0).quantity() == 2);

  const Route& list = RouteFor("GET", "/v1/orders");
  zhongtai::order::v1::ListOrdersRequest list_request;
  parts = {};
  parts.query = "userId=victim";
  CHECK(ReasonOf(BuildRequest(list, parts, &list_request)) == "UNKNOWN_QUERY_PARAMETER");

  const Route& pay = RouteFor("POST", "/v1/orders/o1:pay", &bindings);
  zhongtai::order::v1::PayOrderRequest pay_request;
  parts = {};
  parts.bindings = bindings;
  parts.body = R"({"orderId":"other"})";
  parts.idempotency_key = "pay-1";
  REQUIRE(BuildRequest(pay, parts, &pay_request).ok());
  CHECK(pay_request.order_id() == "o1");  // the path wins over the body
}

TEST_CASE("the request id field comes from Idempotency-Key, which routes with one require") {
  const Route& place = RouteFor("POST", "/v1/orders");
  zhongtai::order::v1::PlaceOrderRequest request;
  RequestParts parts;
  parts.body = R"({"requestId":"from-body"})";
  parts.idempotency_key = "key-1";
  REQUIRE(BuildRequest(place, parts, &request).ok());
  CHECK(request.request_id() == "key-1");

  // Without the header: refused, whatever the body says; never a key made up by the gateway.
  parts.idempotency_key.clear();
  std::vector<std::pair<std::string, std::string>> keyed = {
      {"POST", "/v1/orders"},           {"POST", "/v1/orders/o1:pay"},      {"POST", "/v1/admin/products"},
      {"POST", "/v1/admin/categories"}, {"POST", "/v1/admin/stock:adjust"}, {"POST", "/v1/admin/promotions"}};
  for (const auto& [method, path] : keyed) {
    INFO(method << " " << path);
    std::vector<PathBinding> bindings;
    const Route& route = RouteFor(method, path, &bindings);
    REQUIRE(route.request_id_field != nullptr);
    parts.bindings = bindings;
    const google::protobuf::Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(route.method->input_type());
    std::unique_ptr<google::protobuf::Message> message(prototype->New());
    absl::Status status = BuildRequest(route, parts, message.get());
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(status) == "IDEMPOTENCY_KEY_REQUIRED");
    CHECK(FieldOf(status) == "Idempotency-Key");
  }

  // Routes without a request id field do not need one.
  zhongtai::product::v1::ListProductsRequest list;
  CHECK(BuildRequest(RouteFor("GET", "/v1/products"), RequestParts{}, &list).ok());
}

TEST_CASE("authentication and authorisation per route access") {
  const Route& pub = RouteFor("GET", "/v1/products");
  const Route& customer = RouteFor("GET", "/v1/orders");
  const Route& admin = RouteFor("POST", "/v1/admin/products");

  CHECK_FALSE(Authenticate(pub, "", FakeVerify)->authenticated);
  CHECK(Authenticate(pub, "Bearer customer:u1", FakeVerify)->user_id == "u1");
  CHECK_FALSE(Authenticate(pub, "Bearer expired", FakeVerify)->authenticated);  // public: served anonymously

  auto missing = Authenticate(customer, "", FakeVerify);
  CHECK(missing.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(ReasonOf(missing.status()) == "TOKEN_MISSING");
  CHECK(ReasonOf(Authenticate(customer, "Bearer expired", FakeVerify).status()) == "TOKEN_EXPIRED");
  CHECK(ReasonOf(Authenticate(customer, "Bearer tampered", FakeVerify).status()) == "TOKEN_INVALID");
  CHECK(ReasonOf(Authenticate(customer, "Basic dTpw", FakeVerify).status()) == "TOKEN_INVALID");
  CHECK(ReasonOf(Authenticate(customer, "Bearer ", FakeVerify).status()) == "TOKEN_INVALID");
  auto ok = Authenticate(customer, "bearer customer:u7", FakeVerify);
  REQUIRE(ok.ok());
  CHECK(ok->user_id == "u7");

  auto denied = Authenticate(admin, "Bearer customer:u1", FakeVerify);
  CHECK(denied.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(ReasonOf(denied.status()) == "ADMIN_REQUIRED");
  CHECK(HttpStatusOf(denied.status().code()) == 403);
  CHECK(Authenticate(admin, "Bearer admin:a1", FakeVerify).ok());
  CHECK(ReasonOf(Authenticate(admin, "", FakeVerify).status()) == "TOKEN_MISSING");
}

TEST_CASE("errors map to the HTTP statuses and body of docs/api.md") {
  using C = absl::StatusCode;
  const std::vector<std::pair<C, int>> table = {{C::kInvalidArgument, 400},   {C::kFailedPrecondition, 400},
                                                {C::kOutOfRange, 400},        {C::kUnauthenticated, 401},
                                                {C::kPermissionDenied, 403},  {C::kNotFound, 404},
                                                {C::kAlreadyExists, 409},     {C::kAborted, 409},
                                                {C::kResourceExhausted, 429}, {C::kCancelled, 499},
                                                {C::kInternal, 500},          {C::kUnknown, 500},
                                                {C::kDataLoss, 500},          {C::kUnimplemented, 501},
                                                {C::kUnavailable, 503},       {C::kDeadlineExceeded, 504}};
  for (auto [code, http] : table) CHECK(HttpStatusOf(code) == http);

  HttpResponse response = ErrorResponse(InvalidArgument("lines[0].quantity", "QUANTITY_NOT_POSITIVE", "must be > 0"));
  CHECK(response.status == 400);
  CHECK(response.body ==
        R"({"error":{"code":400,"status":"INVALID_ARGUMENT","reason":"QUANTITY_NOT_POSITIVE","message":"must be > 0",)"
        R"("details":[{"field":"lines[0].quantity"}]}})");

  // A message quoting bytes that are not UTF-8 (the JSON parser quotes the body) stays a JSON (UTF-8) body.
  HttpResponse not_utf8 = ErrorResponse(InvalidArgument("", "INVALID_JSON", "bad \xF9\xF9 and \xE4\xB8\xAD, \xE4\xB8"));
  CHECK(not_utf8.body.find("\"message\":\"bad \xEF\xBF\xBD\xEF\xBF\xBD and \xE4\xB8\xAD, \xEF\xBF\xBD\xEF\xBF\xBD\"") !=
        std::string::npos);

  HttpResponse busy = ErrorResponse(Error(C::kResourceExhausted, "RATE_LIMITED", "slow down"));
  CHECK(busy.status == 429);
  CHECK(std::count(busy.headers.begin(), busy.headers.end(),
                   std::make_pair(std::string("Retry-After"), std::string("1"))) == 1);

  HttpResponse quoted = ErrorResponse(NotFound("ORDER_NOT_FOUND", "no \"order\"\n"));
  CHECK(quoted.body.find(R"("message":"no \"order\"\n")") != std::string::npos);
  CHECK(quoted.body.find(R"("details":[])") != std::string::npos);

  // A service's own details (the words that make a listing not compliant) follow the field, unchanged.
  absl::Status listing = WithDetails(FailedPrecondition("LISTING_NOT_COMPLIANT", "forbidden words"),
                                     R"([{"field":"title","word":"最佳"}])");
  CHECK(ErrorResponse(listing).body.find(R"("details":[{"field":"title","word":"最佳"}])") != std::string::npos);
  absl::Status both = WithDetails(InvalidArgument("title", "X", "m"), R"([{"word":"第一"}])");
  CHECK(ErrorResponse(both).body.find(R"("details":[{"field":"title"},{"word":"第一"}])") != std::string::npos);
}

TEST_CASE("upstream failures without a reason get one and do not leak addresses") {
  absl::Status down =
      PublicUpstreamStatus(absl::UnavailableError("failed to connect to all addresses; 127.0.0.1:50051"), "product");
  CHECK(down.code() == absl::StatusCode::kUnavailable);
  CHECK(ReasonOf(down) == "UPSTREAM_UNAVAILABLE");
  CHECK(std::string(down.message()).find("127.0.0.1") == std::string::npos);
  CHECK(ReasonOf(PublicUpstreamStatus(absl::DeadlineExceededError("x"), "order")) == "UPSTREAM_TIMEOUT");
  CHECK(ReasonOf(PublicUpstreamStatus(absl::InternalError("stack"), "order")) == "INTERNAL");
  absl::Status domain = Error(absl::StatusCode::kFailedPrecondition, "INSUFFICIENT_STOCK", "only 2 left", "lines[0]");
  CHECK(PublicUpstreamStatus(domain, "order") == domain);
}

TEST_CASE("responses are proto3 JSON") {
  zhongtai::product::v1::GetProductResponse response;
  auto* sku = response.mutable_product()->add_skus();
  sku->set_sku_id("s1");
  sku->mutable_price()->set_currency("CNY");
  sku->mutable_price()->set_amount_minor(1999);
  sku->set_available(5);
  HttpResponse http = JsonResponse(response);
  CHECK(http.status == 200);
  CHECK(http.body.find(R"("amountMinor":"1999")") != std::string::npos);
  CHECK(http.body.find(R"("available":"5")") != std::string::npos);
  CHECK(http.body.find(R"("skuId":"s1")") != std::string::npos);
}

TEST_CASE("a response carrying an HttpBody is answered as that document, not JSON") {
  zhongtai::user::v1::ExportRecallListResponse response;
  response.mutable_file()->set_content_type("text/csv; charset=utf-8");
  response.mutable_file()->set_body("user_id,nickname\r\nu1,\"a,b\"\r\n");
  response.mutable_file()->set_file_name("recall \"2026\".csv");
  HttpResponse http = ReplyResponse(response);
  CHECK(http.status == 200);
  CHECK(http.content_type == "text/csv; charset=utf-8");
  CHECK(http.body == "user_id,nickname\r\nu1,\"a,b\"\r\n");
  std::map<std::string, std::string> headers(http.headers.begin(), http.headers.end());
  CHECK(headers["Content-Disposition"] == "attachment; filename=\"recall__2026_.csv\"");
  CHECK(headers["X-Content-Type-Options"] == "nosniff");

  // Any other response stays JSON.
  zhongtai::user::v1::ListMembersResponse members;
  members.set_next_page_token("t");
  HttpResponse json = ReplyResponse(members);
  CHECK(json.content_type == "application/json");
  CHECK(json.body.find(R"("nextPageToken":"t")") != std::string::npos);
}

TEST_CASE("trace context and request ids") {
  std::string incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  std::string next = NextTraceparent(incoming);
  CHECK(TraceIdOf(next) == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(next != incoming);
  CHECK(next.substr(next.size() - 3) == "-01");
  std::string fresh = NextTraceparent("garbage");
  CHECK(TraceIdOf(fresh).size() == 32);
  CHECK(TraceIdOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01").empty());
  CHECK(IsValidRequestId("req-1.a_b:c"));
  CHECK_FALSE(IsValidRequestId(""));
  CHECK_FALSE(IsValidRequestId("has space"));
  CHECK_FALSE(IsValidRequestId(std::string(129, 'a')));
}

}  // namespace
}  // namespace zhongtai::gateway
