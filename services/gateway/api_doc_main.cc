// zt-api-doc: writes docs/api.md or the OpenAPI document from the route table compiled into the gateway,
// or checks that a committed docs/api.md is what the code says.
//   zt-api-doc --markdown [FILE]   docs/api.md (stdout without FILE)
//   zt-api-doc --openapi [FILE]    the document GET /openapi.json serves
//   zt-api-doc --check FILE        exit 1, naming the first differing line, when FILE is out of date
// The field and method descriptions come from the protos' comments, which generated code does not keep: the
// build writes the protos' descriptor set with source info (ZT_API_DESCRIPTORS) for this tool to read.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "services/gateway/api_doc.h"
#include "services/gateway/openapi.h"
#include "services/gateway/routes.h"

#ifndef ZT_VERSION
#define ZT_VERSION "dev"
#endif
#ifndef ZT_API_DESCRIPTORS
#define ZT_API_DESCRIPTORS ""
#endif

namespace {

// The protos with their comments, from the descriptor set the build wrote.
bool LoadCommented(const std::string& path, google::protobuf::DescriptorPool* pool) {
  std::ifstream in(path, std::ios::binary);
  google::protobuf::FileDescriptorSet set;
  if (!in || !set.ParseFromIstream(&in)) {
    std::cerr << "zt-api-doc: cannot read the descriptor set " << path << " (built with zt-api-doc)\n";
    return false;
  }
  for (const auto& file : set.file()) {
    if (pool->BuildFile(file) == nullptr) {
      std::cerr << "zt-api-doc: " << path << ": cannot build " << file.name() << "\n";
      return false;
    }
  }
  return true;
}

int Usage() {
  std::cerr << "usage: zt-api-doc --markdown [FILE] | --openapi [FILE] | --check FILE\n";
  return 2;
}

int Write(const std::string& text, const std::string& path) {
  if (path.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "zt-api-doc: cannot write " << path << "\n";
    return 1;
  }
  return 0;
}

int Check(const std::string& expected, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in && buffer.str() == expected) return 0;
  std::cerr << "FAIL " << path << " is not what the protos and services/gateway/error_reasons.cc say.\n";
  if (!in) {
    std::cerr << "It cannot be read.\n";
  } else {
    std::vector<std::string> want = absl::StrSplit(expected, '\n');
    std::vector<std::string> have = absl::StrSplit(buffer.str(), '\n');
    for (size_t i = 0; i < std::max(want.size(), have.size()); ++i) {
      const std::string w = i < want.size() ? want[i] : "<end of file>";
      const std::string h = i < have.size() ? have[i] : "<end of file>";
      if (w != h) {
        std::cerr << "First difference at line " << i + 1 << ":\n  committed: " << h << "\n  generated: " << w << "\n";
        break;
      }
    }
  }
  std::cerr
      << "Regenerate it (and commit the result):\n"
         "  cmake --build build --target zt-api-doc && build/services/gateway/zt-api-doc --markdown docs/api.md\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) return Usage();
  const std::string mode = argv[1];
  const std::string path = argc == 3 ? argv[2] : "";
  auto routes = zhongtai::gateway::RouteTable::Build(zhongtai::gateway::RouteTable::SuiteServices());
  if (!routes.ok()) {
    std::cerr << "zt-api-doc: the route table does not build: " << routes.status() << "\n";
    return 1;
  }
  if (mode == "--openapi") return Write(zhongtai::gateway::OpenApiDocument(*routes, ZT_VERSION), path);
  if (mode != "--markdown" && !(mode == "--check" && !path.empty())) return Usage();
  google::protobuf::DescriptorPool commented;
  if (!LoadCommented(ZT_API_DESCRIPTORS, &commented)) return 1;
  const std::string markdown = zhongtai::gateway::ApiDocument(*routes, &commented);
  return mode == "--markdown" ? Write(markdown, path) : Check(markdown, path);
}
