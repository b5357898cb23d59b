#include "services/gateway/route_fields.h"

#include "zhongtai/api/v1/annotations.pb.h"

namespace zhongtai::gateway {

using google::protobuf::FieldDescriptor;

const FieldDescriptor* UserIdField(const Route& route) {
  // Read through reflection rather than Route::user_id_field or HttpRoute::user_id_field(): user ids are
  // moving from request fields to the signed identity in call metadata, and this keeps compiling (and
  // answers nullptr) once the option loses that field.
  if (route.method == nullptr || !route.method->options().HasExtension(zhongtai::api::v1::http)) return nullptr;
  const auto& option = route.method->options().GetExtension(zhongtai::api::v1::http);
  const FieldDescriptor* name_field = option.GetDescriptor()->FindFieldByName("user_id_field");
  if (name_field == nullptr) return nullptr;
  const std::string name = option.GetReflection()->GetString(option, name_field);
  if (name.empty()) return nullptr;
  const google::protobuf::Descriptor* input = route.method->input_type();
  if (const FieldDescriptor* field = input->FindFieldByName(name)) return field;
  for (int i = 0; i < input->field_count(); ++i) {
    if (input->field(i)->json_name() == name) return input->field(i);
  }
  return nullptr;
}

bool IsPathBound(const Route& route, const FieldDescriptor* field) {
  for (const PathSegment& segment : route.segments) {
    if (segment.is_field && segment.field.size() == 1 && segment.field.front() == field) return true;
  }
  return false;
}

bool IsServerFilled(const Route& route, const FieldDescriptor* field) {
  return field == route.request_id_field || field == UserIdField(route) || IsPathBound(route, field);
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
