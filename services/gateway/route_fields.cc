#include "services/gateway/route_fields.h"

namespace zhongtai::gateway {

using google::protobuf::FieldDescriptor;

bool IsPathBound(const Route& route, const FieldDescriptor* field) {
  for (const PathSegment& segment : route.segments) {
    if (segment.is_field && segment.field.size() == 1 && segment.field.front() == field) return true;
  }
  return false;
}

bool IsServerFilled(const Route& route, const FieldDescriptor* field) {
  return field == route.request_id_field || IsPathBound(route, field);
}

std::vector<const FieldDescriptor*> ClientFields(const Route& route) {
  std::vector<const FieldDescriptor*> out;
  const google::protobuf::Descriptor* input = route.method->input_type();
  for (int i = 0; i < input->field_count(); ++i) {
    if (!IsServerFilled(route, input->field(i))) out.push_back(input->field(i));
  }
  return out;
}

}  // namespace zhongtai::gateway
