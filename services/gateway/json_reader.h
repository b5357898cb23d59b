// Proto3 JSON request bodies into messages, read straight into reflection.
//
// Why not only protobuf's JsonStringToMessage: (3.21) it tokenizes the JSON, writes it through a type resolver into
// the binary format and parses that again; on POST /v1/events (500 events, about 150 KB) that was most of the
// gateway's CPU (docs/performance.md, "Data hub ingestion"). This reader accepts a strict subset of what protobuf
// accepts -- objects with known field names (lowerCamelCase or the proto name), each at most once; strings; integers
// written as JSON integers or as quoted integers; finite doubles; true and false; enum names; nested messages;
// arrays for repeated fields; google.protobuf.Timestamp as "YYYY-MM-DDThh:mm:ss[.fff|.ffffff|.fffffffff]Z" -- and
// declines everything else (null, maps, bytes, floats, other well-known types, escapes it does not decode, any error),
// for which the caller parses the body again with protobuf. What it accepts gives the same message protobuf gives:
// json_reader_test compares the two on every request type the gateway routes, filled at random, and on broken bodies.
#pragma once

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace zhongtai::gateway {

// Merges the JSON object `json` into `message` (normally empty). Returns false when the body is not in the subset
// above; `message` is then partly filled and the caller must Clear() it before parsing with protobuf.
bool ReadJson(absl::string_view json, google::protobuf::Message* message);

}  // namespace zhongtai::gateway
