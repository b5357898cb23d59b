#include "services/order/clients/payment_provider_http.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace zhongtai::order {
namespace {

using google::protobuf::Struct;

std::string Field(const Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  if (it == object.fields().end()) return "";
  if (it->second.has_string_value()) return it->second.string_value();
  if (it->second.has_number_value()) return absl::StrCat(static_cast<int64_t>(it->second.number_value()));
  return "";
}

std::string PathSegment(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::StrFormat("%02X", c));
    }
  }
  return out;
}

absl::Status ProviderError(int status, const std::string& body) {
  Struct parsed;
  std::string reason;
  if (google::protobuf::util::JsonStringToMessage(body, &parsed).ok()) {
    auto error = parsed.fields().find("error");
    if (error != parsed.fields().end() && error->second.has_struct_value()) {
      reason = Field(error->second.struct_value(), "reason");
    }
  }
  std::string message = absl::StrCat("payment provider answered HTTP ", status, reason.empty() ? "" : " ", reason);
  if (status >= 500) return Unavailable("PAYMENT_PROVIDER_UNAVAILABLE", message);
  if (status == 409) return FailedPrecondition("PAYMENT_PROVIDER_REFUSED", message);
  return Internal("PAYMENT_PROVIDER_ANSWER_INVALID", message);
}

}  // namespace

bool ParseProviderStatus(const std::string& name, ProviderStatus* status) {
  if (name == "PENDING")
    *status = ProviderStatus::kPending;
  else if (name == "SUCCEEDED")
    *status = ProviderStatus::kSucceeded;
  else if (name == "DECLINED")
    *status = ProviderStatus::kDeclined;
  else if (name == "CLOSED")
    *status = ProviderStatus::kClosed;
  else
    return false;
  return true;
}

absl::StatusOr<ProviderPayment> HttpPaymentProvider::Exchange(const std::string& method, const std::string& target,
                                                              const std::string& body, bool not_found_ok) {
  http::HttpRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  ASSIGN_OR_RETURN(http::HttpResponse response, client_.Send(request));
  if (response.status == 404 && not_found_ok) return ProviderPayment{};
  if (response.status != 200) return ProviderError(response.status, response.body);
  Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(response.body, &parsed).ok() || !parsed.fields().count("payment") ||
      !parsed.fields().at("payment").has_struct_value()) {
    return Internal("PAYMENT_PROVIDER_ANSWER_INVALID", "the payment provider's answer could not be read");
  }
  const Struct& payment = parsed.fields().at("payment").struct_value();
  ProviderPayment out;
  if (!ParseProviderStatus(Field(payment, "status"), &out.status) ||
      !absl::SimpleAtoi(Field(payment, "amountMinor"), &out.amount)) {
    return Internal("PAYMENT_PROVIDER_ANSWER_INVALID", "the payment provider's answer has no status or amount");
  }
  out.order_id = Field(payment, "orderId");
  out.payment_id = Field(payment, "paymentId");
  out.currency = Field(payment, "currency");
  out.pay_url = Field(payment, "payUrl");
  out.decline_reason = Field(payment, "declineReason");
  std::string paid_time = Field(payment, "paidTime");
  absl::Time paid_at;
  std::string error;
  if (!paid_time.empty() && absl::ParseTime(absl::RFC3339_full, paid_time, &paid_at, &error)) out.paid_at = paid_at;
  return out;
}

absl::StatusOr<ProviderPayment> HttpPaymentProvider::Create(const std::string& order_id, int64_t amount,
                                                            const std::string& currency) {
  std::string json = absl::StrCat("{\"orderId\":\"", log::JsonEscape(order_id), "\",\"amountMinor\":\"", amount,
                                  "\",\"currency\":\"", log::JsonEscape(currency), "\"}");
  return Exchange("POST", "/v1/payments", json, /*not_found_ok=*/false);
}

absl::StatusOr<ProviderPayment> HttpPaymentProvider::Query(const std::string& order_id) {
  return Exchange("GET", absl::StrCat("/v1/payments/", PathSegment(order_id)), "", /*not_found_ok=*/true);
}

absl::StatusOr<ProviderPayment> HttpPaymentProvider::Close(const std::string& order_id) {
  return Exchange("POST", absl::StrCat("/v1/payments/", PathSegment(order_id), ":close"), "{}",
                  /*not_found_ok=*/true);
}

absl::Status HttpPaymentProvider::Refund(const std::string& order_id, const std::string& refund_id, int64_t amount) {
  std::string json =
      absl::StrCat("{\"refundId\":\"", log::JsonEscape(refund_id), "\",\"amountMinor\":\"", amount, "\"}");
  http::HttpRequest request;
  request.method = "POST";
  request.target = absl::StrCat("/v1/payments/", PathSegment(order_id), "/refunds");
  request.body = json;
  ASSIGN_OR_RETURN(http::HttpResponse response, client_.Send(request));
  if (response.status != 200) return ProviderError(response.status, response.body);
  return absl::OkStatus();
}

}  // namespace zhongtai::order
