// Which fields of a route's request message a client sends. The gateway fills some itself: the fields
// bound by the path template and the field named by the http option's request_id_field (from the
// Idempotency-Key header). The OpenAPI document and docs/api.md offer only the others as body or query fields.
// (The user is never a request field: services take it from the call's signed identity.)
#pragma once

#include <vector>

#include "google/protobuf/descriptor.h"
#include "services/gateway/routes.h"

namespace zhongtai::gateway {

// True for a top-level request field that the path binds as a whole (e.g. order_id of
// "/v1/orders/{order_id}:pay"). A nested binding ({promotion.promotion_id}) leaves its parent a body field.
bool IsPathBound(const Route& route, const google::protobuf::FieldDescriptor* field);

// True for a field the gateway fills (path-bound, request id): never a body or query field.
bool IsServerFilled(const Route& route, const google::protobuf::FieldDescriptor* field);

// The top-level request fields a client may send, in declaration order.
std::vector<const google::protobuf::FieldDescriptor*> ClientFields(const Route& route);

}  // namespace zhongtai::gateway
