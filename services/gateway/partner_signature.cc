#include "services/gateway/partner_signature.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/http/signature.h"

namespace zhongtai::gateway {

absl::StatusOr<PartnerSecrets> ParsePartnerSecrets(absl::string_view text) {
  PartnerSecrets secrets;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    size_t equals = entry.find('=');
    if (equals == absl::string_view::npos || equals == 0 || equals + 1 == entry.size()) {
      return absl::InvalidArgumentError("each entry is name=secret, separated by commas");
    }
    std::string name(absl::StripAsciiWhitespace(entry.substr(0, equals)));
    if (!secrets.emplace(name, std::string(entry.substr(equals + 1))).second) {
      return absl::InvalidArgumentError(absl::StrCat("the partner \"", name, "\" is named twice"));
    }
  }
  return secrets;
}

std::string PartnerSecretName(const Route& route, const std::vector<PathBinding>& bindings) {
  std::string name = route.partner;
  for (const PathBinding& binding : bindings) {
    std::string field;
    for (const auto* part : binding.field) absl::StrAppend(&field, field.empty() ? "" : ".", part->name());
    std::string placeholder = absl::StrCat("{", field, "}");
    for (size_t at = name.find(placeholder); at != std::string::npos; at = name.find(placeholder, at)) {
      name.replace(at, placeholder.size(), binding.value);
      at += binding.value.size();
    }
  }
  return name;
}

absl::Status VerifyPartnerRequest(const Route& route, const std::vector<PathBinding>& bindings,
                                  const PartnerSecrets& secrets, const SignedRequest& request, absl::Time now,
                                  absl::Duration max_age) {
  auto secret = secrets.find(PartnerSecretName(route, bindings));
  // An unknown partner is checked against an empty secret, which never verifies: it looks like any bad signature.
  return http::VerifySignedBody(secret == secrets.end() ? "" : secret->second, request.timestamp, request.signature,
                                request.body, now, max_age);
}

}  // namespace zhongtai::gateway
