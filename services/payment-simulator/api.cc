#include "services/payment-simulator/api.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace zhongtai::paysim {
namespace {

using google::protobuf::Struct;

std::string Quote(const std::string& text) { return absl::StrCat("\"", log::JsonEscape(text), "\""); }

std::string TimeText(absl::Time t) {
  return t == absl::InfinitePast() ? "" : absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

std::string PaymentJson(const Payment& p) {
  return absl::StrCat("{\"orderId\":", Quote(p.order_id), ",\"paymentId\":", Quote(p.payment_id),
                      ",\"status\":", Quote(PaymentStatusName(p.status)), ",\"amountMinor\":\"", p.amount,
                      "\",\"currency\":", Quote(p.currency), ",\"payUrl\":", Quote(p.pay_url),
                      ",\"declineReason\":", Quote(p.decline_reason), ",\"paidTime\":", Quote(TimeText(p.paid_at)),
                      ",\"refundedMinor\":\"", p.refunded, "\"}");
}

Response Ok(std::string body) { return {200, std::move(body)}; }

Response ErrorAnswer(const absl::Status& status) {
  int http = 500;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: http = 400; break;
    case absl::StatusCode::kNotFound: http = 404; break;
    case absl::StatusCode::kFailedPrecondition: http = 409; break;
    default: break;
  }
  return {http, absl::StrCat("{\"error\":{\"code\":", http, ",\"reason\":", Quote(ProviderCodeOf(status)),
                             ",\"message\":", Quote(std::string(status.message())), "}}")};
}

Response PaymentAnswer(const absl::StatusOr<Payment>& payment) {
  if (!payment.ok()) return ErrorAnswer(payment.status());
  return Ok(absl::StrCat("{\"payment\":", PaymentJson(*payment), "}"));
}

absl::StatusOr<Struct> ParseBody(const std::string& body) {
  Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(body.empty() ? "{}" : body, &parsed).ok()) {
    return absl::InvalidArgumentError("the body is not a JSON object");
  }
  return parsed;
}

std::string StringField(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return "";
  if (it->second.has_string_value()) return it->second.string_value();
  if (it->second.has_number_value()) return absl::StrCat(static_cast<int64_t>(it->second.number_value()));
  return "";
}

bool BoolField(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it != s.fields().end() && it->second.bool_value();
}

absl::StatusOr<int64_t> AmountField(const Struct& s) {
  int64_t amount = 0;
  if (!absl::SimpleAtoi(StringField(s, "amountMinor"), &amount)) {
    return absl::InvalidArgumentError("amountMinor is an integer number of fen");
  }
  return amount;
}

std::string ControlJson(const Control& c) {
  return absl::StrCat("{\"decline\":", c.decline ? "true" : "false",
                      ",\"notifyDelay\":", Quote(absl::FormatDuration(c.notify_delay)),
                      ",\"duplicateNotify\":", c.duplicate_notify ? "true" : "false",
                      ",\"badSignature\":", c.bad_signature ? "true" : "false",
                      ",\"dropNotify\":", c.drop_notify ? "true" : "false", "}");
}

}  // namespace

std::string Api::NotificationBody(const Payment& p) {
  std::string body =
      absl::StrCat("{\"orderId\":", Quote(p.order_id), ",\"paymentId\":", Quote(p.payment_id),
                   ",\"status\":", Quote(PaymentStatusName(p.status)), ",\"amount\":{\"currency\":", Quote(p.currency),
                   ",\"amountMinor\":\"", p.amount, "\"}");
  if (p.paid_at != absl::InfinitePast()) absl::StrAppend(&body, ",\"paidTime\":", Quote(TimeText(p.paid_at)));
  if (!p.decline_reason.empty()) absl::StrAppend(&body, ",\"declineReason\":", Quote(p.decline_reason));
  absl::StrAppend(&body, "}");
  return body;
}

Response Api::Handle(const Request& request) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (method == "GET" && path == "/healthz") return Ok("{\"status\":\"ok\"}");
  if (method == "POST" && path == "/v1/payments") return CreatePayment(request.body);
  if (method == "GET" && path == "/v1/notifications") return ListDeliveries(request.query);
  if (path == "/v1/control") {
    if (method == "PUT") return SetControl(std::nullopt, request.body);
    if (method == "DELETE") {
      simulator_.ResetControls();
      return Ok(absl::StrCat("{\"control\":", ControlJson(Control()), "}"));
    }
  }
  constexpr absl::string_view kControlOrders = "/v1/control/orders/";
  if (method == "PUT" && absl::StartsWith(path, kControlOrders) && path.size() > kControlOrders.size()) {
    return SetControl(path.substr(kControlOrders.size()), request.body);
  }
  constexpr absl::string_view kPayments = "/v1/payments/";
  if (absl::StartsWith(path, kPayments) && path.size() > kPayments.size()) {
    std::string rest = path.substr(kPayments.size());
    if (method == "GET" && rest.find('/') == std::string::npos && rest.find(':') == std::string::npos) {
      return PaymentAnswer(simulator_.Get(rest));
    }
    if (method == "POST" && absl::EndsWith(rest, ":pay")) return Pay(rest.substr(0, rest.size() - 4));
    if (method == "POST" && absl::EndsWith(rest, ":close")) {
      return PaymentAnswer(simulator_.Close(rest.substr(0, rest.size() - 6)));
    }
    if (method == "POST" && absl::EndsWith(rest, "/refunds"))
      return Refund(rest.substr(0, rest.size() - 8), request.body);
  }
  return ErrorAnswer(absl::NotFoundError(absl::StrCat("no route for ", method, " ", path)));
}

Response Api::CreatePayment(const std::string& body) {
  absl::StatusOr<Struct> parsed = ParseBody(body);
  if (!parsed.ok()) return ErrorAnswer(parsed.status());
  absl::StatusOr<int64_t> amount = AmountField(*parsed);
  if (!amount.ok()) return ErrorAnswer(amount.status());
  return PaymentAnswer(simulator_.Create(StringField(*parsed, "orderId"), *amount, StringField(*parsed, "currency")));
}

Response Api::Pay(const std::string& order_id) {
  bool changed = false;
  absl::StatusOr<Payment> payment = simulator_.BuyerPays(order_id, &changed);
  if (!payment.ok()) return ErrorAnswer(payment.status());
  if (changed) {
    Control control = simulator_.ControlFor(order_id);
    if (!control.drop_notify) {
      std::string body = NotificationBody(*payment);
      std::string status = PaymentStatusName(payment->status);
      notifier_.Schedule(order_id, status, body, control.notify_delay, control.bad_signature);
      if (control.duplicate_notify) {
        notifier_.Schedule(order_id, status, body, control.notify_delay + absl::Milliseconds(200),
                           control.bad_signature);
      }
    }
  }
  return PaymentAnswer(payment);
}

Response Api::Refund(const std::string& order_id, const std::string& body) {
  absl::StatusOr<Struct> parsed = ParseBody(body);
  if (!parsed.ok()) return ErrorAnswer(parsed.status());
  absl::StatusOr<int64_t> amount = AmountField(*parsed);
  if (!amount.ok()) return ErrorAnswer(amount.status());
  absl::StatusOr<paysim::Refund> refund = simulator_.RefundPayment(order_id, StringField(*parsed, "refundId"), *amount);
  if (!refund.ok()) return ErrorAnswer(refund.status());
  absl::StatusOr<Payment> payment = simulator_.Get(order_id);
  return Ok(absl::StrCat("{\"refund\":{\"refundId\":", Quote(refund->refund_id),
                         ",\"orderId\":", Quote(refund->order_id), ",\"amountMinor\":\"", refund->amount,
                         "\",\"status\":\"SUCCEEDED\"},\"payment\":", PaymentJson(*payment), "}"));
}

Response Api::SetControl(const std::optional<std::string>& order_id, const std::string& body) {
  absl::StatusOr<Struct> parsed = ParseBody(body);
  if (!parsed.ok()) return ErrorAnswer(parsed.status());
  Control control;
  control.decline = BoolField(*parsed, "decline");
  control.duplicate_notify = BoolField(*parsed, "duplicateNotify");
  control.bad_signature = BoolField(*parsed, "badSignature");
  control.drop_notify = BoolField(*parsed, "dropNotify");
  std::string delay = StringField(*parsed, "notifyDelay");
  if (!delay.empty() &&
      (!absl::ParseDuration(delay, &control.notify_delay) || control.notify_delay < absl::ZeroDuration())) {
    return ErrorAnswer(absl::InvalidArgumentError("notifyDelay is a duration such as 5s"));
  }
  simulator_.SetControl(order_id, control);
  return Ok(absl::StrCat("{\"control\":", ControlJson(control), "}"));
}

Response Api::ListDeliveries(const std::string& query) {
  std::string order_id;
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    if (absl::StartsWith(pair, "orderId=")) order_id = std::string(pair.substr(8));
  }
  std::string out = "{\"deliveries\":[";
  bool first = true;
  for (const DeliveryRecord& r : notifier_.Deliveries(order_id)) {
    absl::StrAppend(&out, first ? "" : ",", "{\"orderId\":", Quote(r.order_id), ",\"status\":", Quote(r.status),
                    ",\"attempt\":", r.attempt, ",\"httpStatus\":", r.http_status,
                    ",\"badSignature\":", r.bad_signature ? "true" : "false", ",\"time\":", Quote(TimeText(r.at)), "}");
    first = false;
  }
  absl::StrAppend(&out, "]}");
  return Ok(out);
}

}  // namespace zhongtai::paysim
