// Proto3 JSON for the gateway's responses, written straight from reflection.
//
// Why not only protobuf's MessageToJsonString: it serializes the message to binary, parses it again
// through a type resolver and, with always_print_primitive_fields, builds a tree of default values
// before writing; profiling B3 (docs/performance.md) put it at a quarter of the gateway's CPU. This
// writer produces the same text for the field kinds our APIs use (scalars except float/double/bytes,
// enums, nested messages, repeated, maps, google.protobuf.Timestamp) and declines anything else, for
// which the caller falls back to protobuf. transcoder_test compares the two on every response type.
#pragma once

#include <string>

#include "google/protobuf/message.h"

namespace zhongtai::gateway {

// Appends `message` as proto3 JSON (lowerCamelCase names, primitive fields always printed, int64 as
// strings, enums by name) to `out`. Returns false, leaving `out` unspecified, when the message type
// has a field kind this writer does not handle.
bool WriteJson(const google::protobuf::Message& message, std::string* out);

}  // namespace zhongtai::gateway
