// Requests from partners' servers (ACCESS_PARTNER routes: payment providers, warehouses, carriers) carry no user token
// but a signature (common/http/signature.h) under the partner's secret. The route's annotation names the secret,
// possibly through a path field ("payment-{provider}"); the secrets come from the gateway's settings.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/gateway/routes.h"

namespace zhongtai::gateway {

using PartnerSecrets = std::map<std::string, std::string>;  // secret name -> secret

// "name=secret,name2=secret2" (ZT_GATEWAY_PARTNER_SECRETS); INVALID_ARGUMENT for a malformed or repeated entry.
absl::StatusOr<PartnerSecrets> ParsePartnerSecrets(absl::string_view text);

// The secret name for a request to `route`: its partner template with each {field} replaced by the bound value.
std::string PartnerSecretName(const Route& route, const std::vector<PathBinding>& bindings);

struct SignedRequest {
  std::string timestamp;  // X-Zt-Timestamp
  std::string signature;  // X-Zt-Signature
  std::string body;
};

// OK when `request` is signed with the route's partner secret within `max_age`; otherwise UNAUTHENTICATED with reason
// SIGNATURE_MISSING, SIGNATURE_EXPIRED or SIGNATURE_INVALID (also for a partner without a configured secret).
absl::Status VerifyPartnerRequest(const Route& route, const std::vector<PathBinding>& bindings,
                                  const PartnerSecrets& secrets, const SignedRequest& request, absl::Time now,
                                  absl::Duration max_age);

}  // namespace zhongtai::gateway
