// The route table as an OpenAPI 3 document, generated from the descriptors (GET /openapi.json).
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "services/gateway/routes.h"

namespace zhongtai::gateway {

std::string OpenApiDocument(const RouteTable& routes, absl::string_view version);

}  // namespace zhongtai::gateway
