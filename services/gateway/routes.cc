#include "services/gateway/routes.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "zhongtai/api/v1/annotations.pb.h"
#include "zhongtai/api/v1/http_body.pb.h"
#include "zhongtai/datahub/v1/behaviour_events.pb.h"
#include "zhongtai/datahub/v1/customer_analytics.pb.h"
#include "zhongtai/datahub/v1/datahub.pb.h"
#include "zhongtai/datahub/v1/funnel.pb.h"
#include "zhongtai/datahub/v1/product_analytics.pb.h"
#include "zhongtai/datahub/v1/webhooks.pb.h"
#include "zhongtai/marketing/v1/campaigns.pb.h"
#include "zhongtai/marketing/v1/marketing.pb.h"
#include "zhongtai/order/v1/admin_order.pb.h"
#include "zhongtai/order/v1/after_sales.pb.h"
#include "zhongtai/order/v1/cart.pb.h"
#include "zhongtai/order/v1/fulfilment.pb.h"
#include "zhongtai/order/v1/order.pb.h"
#include "zhongtai/product/v1/product.pb.h"
#include "zhongtai/user/v1/member_admin.pb.h"
#include "zhongtai/user/v1/membership.pb.h"
#include "zhongtai/user/v1/privacy.pb.h"
#include "zhongtai/user/v1/user.pb.h"

namespace zhongtai::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

// Percent-decodes one path segment; false when an escape is malformed.
bool PercentDecode(absl::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || !IsHex(in[i + 1]) || !IsHex(in[i + 2])) return false;
    out->push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
    i += 2;
  }
  return true;
}

std::string UpstreamOf(const ServiceDescriptor* service) {
  // zhongtai.<upstream>.v1
  std::vector<std::string> parts = absl::StrSplit(service->file()->package(), '.');
  return parts.size() >= 2 ? parts[1] : service->file()->package();
}

const FieldDescriptor* FindField(const Descriptor* message, absl::string_view name) {
  std::string n(name);
  if (const FieldDescriptor* f = message->FindFieldByName(n)) return f;
  for (int i = 0; i < message->field_count(); ++i) {
    if (message->field(i)->json_name() == n) return message->field(i);
  }
  return nullptr;
}

int LiteralCount(const Route& route) {
  int count = route.verb.empty() ? 0 : 1;
  for (const PathSegment& s : route.segments) count += s.is_field ? 0 : 1;
  return count;
}

}  // namespace

const char* AccessName(Access access) {
  switch (access) {
    case Access::kPublic: return "public";
    case Access::kCustomer: return "customer";
    case Access::kAdmin: return "admin";
    case Access::kPartner: return "partner";
  }
  return "public";
}

std::string Route::DisplayTemplate() const {
  std::string out;
  for (const PathSegment& s : segments) {
    out += '/';
    if (!s.is_field) {
      out += s.literal;
      continue;
    }
    std::vector<std::string> names;
    for (const FieldDescriptor* f : s.field) names.push_back(f->json_name());
    absl::StrAppend(&out, "{", absl::StrJoin(names, "."), "}");
  }
  if (!verb.empty()) absl::StrAppend(&out, ":", verb);
  return out;
}

absl::StatusOr<FieldPath> ResolveFieldPath(const Descriptor* message, absl::string_view path) {
  FieldPath out;
  const Descriptor* current = message;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (current == nullptr) return absl::InvalidArgumentError(absl::StrCat("\"", path, "\" goes into a scalar field"));
    const FieldDescriptor* field = FindField(current, part);
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(current->full_name(), " has no field \"", part, "\""));
    }
    if (field->is_repeated()) return absl::InvalidArgumentError(absl::StrCat("field \"", part, "\" is repeated"));
    out.push_back(field);
    current = field->type() == FieldDescriptor::TYPE_MESSAGE ? field->message_type() : nullptr;
  }
  return out;
}

absl::StatusOr<Route> ParseTemplate(absl::string_view path_template, const Descriptor* request) {
  Route route;
  route.path_template = std::string(path_template);
  if (!absl::StartsWith(path_template, "/") || path_template.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat("path \"", path_template, "\" must start with /"));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(path_template.substr(1), '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::string_view part = parts[i];
    if (i + 1 == parts.size()) {
      // A custom verb follows the last ':' that is outside braces.
      size_t close = part.rfind('}');
      size_t colon = part.rfind(':');
      if (colon != absl::string_view::npos && (close == absl::string_view::npos || colon > close)) {
        route.verb = std::string(part.substr(colon + 1));
        part = part.substr(0, colon);
        if (route.verb.empty())
          return absl::InvalidArgumentError(absl::StrCat("empty verb in \"", path_template, "\""));
      }
    }
    if (part.empty()) return absl::InvalidArgumentError(absl::StrCat("empty segment in \"", path_template, "\""));
    PathSegment segment;
    if (part.front() == '{') {
      if (part.back() != '}' || part.size() < 3) {
        return absl::InvalidArgumentError(absl::StrCat("bad field segment \"", part, "\" in \"", path_template, "\""));
      }
      absl::StatusOr<FieldPath> field = ResolveFieldPath(request, part.substr(1, part.size() - 2));
      if (!field.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("path \"", path_template, "\": ", field.status().message()));
      }
      if (field->back()->type() == FieldDescriptor::TYPE_MESSAGE) {
        return absl::InvalidArgumentError(absl::StrCat("path \"", path_template, "\" binds a message field"));
      }
      segment.is_field = true;
      segment.field = *std::move(field);
    } else {
      if (absl::StrContains(part, '{') || absl::StrContains(part, '}') || absl::StrContains(part, ':')) {
        return absl::InvalidArgumentError(absl::StrCat("bad segment \"", part, "\" in \"", path_template, "\""));
      }
      segment.literal = std::string(part);
    }
    route.segments.push_back(std::move(segment));
  }
  return route;
}

std::vector<const ServiceDescriptor*> RouteTable::SuiteServices() {
  // Referencing one message of each file links its generated code, which registers the file's
  // descriptors (and so its services) in the generated pool.
  const google::protobuf::FileDescriptor* files[] = {
      zhongtai::product::v1::GetProductRequest::descriptor()->file(),
      zhongtai::order::v1::GetOrderRequest::descriptor()->file(),
      zhongtai::order::v1::GetCartRequest::descriptor()->file(),
      zhongtai::order::v1::ListAdminOrdersRequest::descriptor()->file(),
      zhongtai::order::v1::ShipOrderRequest::descriptor()->file(),
      zhongtai::order::v1::GetReturnRequest::descriptor()->file(),
      zhongtai::marketing::v1::ListPromotionsRequest::descriptor()->file(),
      zhongtai::marketing::v1::GetCampaignCalendarRequest::descriptor()->file(),
      zhongtai::user::v1::GetMeRequest::descriptor()->file(),
      zhongtai::user::v1::GetMyPointsRequest::descriptor()->file(),
      zhongtai::user::v1::ListMembersRequest::descriptor()->file(),
      zhongtai::user::v1::CreateDataExportRequest::descriptor()->file(),
      zhongtai::datahub::v1::GetDashboardRequest::descriptor()->file(),
      zhongtai::datahub::v1::GetCohortsRequest::descriptor()->file(),
      zhongtai::datahub::v1::IngestEventsRequest::descriptor()->file(),
      zhongtai::datahub::v1::GetFunnelRequest::descriptor()->file(),
      zhongtai::datahub::v1::CreateWebhookRequest::descriptor()->file(),
      zhongtai::datahub::v1::GetProductMetricsRequest::descriptor()->file(),
  };
  std::vector<const ServiceDescriptor*> out;
  for (const auto* file : files) {
    for (int i = 0; i < file->service_count(); ++i) out.push_back(file->service(i));
  }
  return out;
}

const FieldDescriptor* RawBodyField(const Descriptor* response) {
  if (response->field_count() != 1) return nullptr;
  const FieldDescriptor* field = response->field(0);
  if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return nullptr;
  return field->message_type()->full_name() == "zhongtai.api.v1.HttpBody" ? field : nullptr;
}

absl::StatusOr<RouteTable> RouteTable::Build(const std::vector<const ServiceDescriptor*>& services) {
  RouteTable table;
  std::set<std::string> seen;
  for (const ServiceDescriptor* service : services) {
    for (int m = 0; m < service->method_count(); ++m) {
      const MethodDescriptor* method = service->method(m);
      if (!method->options().HasExtension(zhongtai::api::v1::http)) continue;
      const auto& option = method->options().GetExtension(zhongtai::api::v1::http);
      auto fail = [&](absl::string_view why) {
        return absl::InvalidArgumentError(absl::StrCat(method->full_name(), ": ", why));
      };
      if (method->client_streaming() || method->server_streaming())
        return fail("streaming methods cannot have a route");
      absl::StatusOr<Route> parsed = ParseTemplate(option.path(), method->input_type());
      if (!parsed.ok()) return fail(parsed.status().message());
      Route route = *std::move(parsed);
      route.http_method = absl::AsciiStrToUpper(option.method());
      static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
      if (kMethods.count(route.http_method) == 0)
        return fail(absl::StrCat("unsupported HTTP method \"", option.method(), "\""));
      if (option.body() != "" && option.body() != "*") return fail("body must be \"*\" or empty");
      route.body = option.body() == "*";
      switch (option.access()) {
        case zhongtai::api::v1::ACCESS_PUBLIC: route.access = Access::kPublic; break;
        case zhongtai::api::v1::ACCESS_CUSTOMER: route.access = Access::kCustomer; break;
        case zhongtai::api::v1::ACCESS_ADMIN: route.access = Access::kAdmin; break;
        case zhongtai::api::v1::ACCESS_PARTNER: route.access = Access::kPartner; break;
        default: return fail("access must be set");
      }
      if ((route.access == Access::kPartner) != !option.partner().empty()) {
        return fail("partner names the secret of an ACCESS_PARTNER route, and only of one");
      }
      route.partner = option.partner();
      // Each {field} of the partner name must be a field the path binds.
      for (absl::string_view rest = route.partner; rest.find('{') != absl::string_view::npos;) {
        rest.remove_prefix(rest.find('{') + 1);
        size_t close = rest.find('}');
        if (close == absl::string_view::npos) return fail("unclosed { in partner");
        std::string field(rest.substr(0, close));
        bool bound = false;
        for (const PathSegment& segment : route.segments) {
          if (segment.is_field && segment.field.size() == 1 && segment.field[0]->name() == field) bound = true;
        }
        if (!bound) return fail(absl::StrCat("partner names {", field, "}, which the path does not bind"));
      }
      const Descriptor* input = method->input_type();
      if (!option.request_id_field().empty()) {
        route.request_id_field = FindField(input, option.request_id_field());
        if (route.request_id_field == nullptr || route.request_id_field->type() != FieldDescriptor::TYPE_STRING ||
            route.request_id_field->is_repeated()) {
          return fail(absl::StrCat("request_id_field \"", option.request_id_field(), "\" is not a string field"));
        }
      }
      const std::string& content_type = method->options().GetExtension(zhongtai::api::v1::response_content_type);
      if (RawBodyField(method->output_type()) != nullptr) {
        if (content_type.empty()) return fail("an HttpBody response needs (zhongtai.api.v1.response_content_type)");
        route.raw_content_type = content_type;
      } else if (!content_type.empty()) {
        return fail("response_content_type is for HttpBody responses only");
      }
      route.method = method;
      route.grpc_method = absl::StrCat("/", service->full_name(), "/", method->name());
      route.upstream = UpstreamOf(service);
      std::string key = absl::StrCat(route.http_method, " ", route.DisplayTemplate());
      if (!seen.insert(key).second) return fail(absl::StrCat("duplicate route ", key));
      table.routes_.push_back(std::move(route));
    }
  }
  return table;
}

RouteMatch RouteTable::Match(absl::string_view http_method, absl::string_view path) const {
  RouteMatch result;
  if (!absl::StartsWith(path, "/")) return result;
  std::vector<absl::string_view> parts = absl::StrSplit(path.substr(1), '/');
  const Route* best = nullptr;
  std::vector<PathBinding> best_bindings;
  std::set<std::string> allowed;
  std::vector<PathBinding> bindings;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    bindings.clear();
    bool ok = true;
    for (size_t i = 0; ok && i < parts.size(); ++i) {
      absl::string_view part = parts[i];
      if (i + 1 == parts.size()) {
        if (!route.verb.empty()) {
          std::string suffix = absl::StrCat(":", route.verb);
          if (!absl::EndsWith(part, suffix)) {
            ok = false;
            break;
          }
          part.remove_suffix(suffix.size());
        }
      }
      const PathSegment& segment = route.segments[i];
      if (!segment.is_field) {
        ok = part == segment.literal;
        continue;
      }
      // A bound value never holds a raw ':' so that "/orders/x:pay" is not read as order "x:pay".
      std::string value;
      if (part.empty() || absl::StrContains(part, ':') || !PercentDecode(part, &value)) {
        ok = false;
        continue;
      }
      bindings.push_back({segment.field, std::move(value)});
    }
    if (!ok) continue;
    if (route.http_method != http_method) {
      allowed.insert(route.http_method);
      continue;
    }
    if (best == nullptr || LiteralCount(route) > LiteralCount(*best)) {
      best = &route;
      best_bindings = bindings;
    }
  }
  if (best != nullptr) {
    result.kind = RouteMatch::Kind::kFound;
    result.route = best;
    result.bindings = std::move(best_bindings);
  } else if (!allowed.empty()) {
    result.kind = RouteMatch::Kind::kMethodNotAllowed;
    result.allowed.assign(allowed.begin(), allowed.end());
  }
  return result;
}

}  // namespace zhongtai::gateway
