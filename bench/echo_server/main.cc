// zt-bench-echo: the B1 reference. A bare callback-API gRPC server whose ProductService.GetProduct
// answers every request with the same response (the bytes zt-product returned for the benchmark
// product), so the difference to zt-product is everything the product service does per call.
//   zt-bench-echo --port P --response-file FILE
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::bench {
namespace {

namespace pb = zhongtai::product::v1;

class EchoProductService final : public pb::ProductService::CallbackService {
 public:
  explicit EchoProductService(pb::GetProductResponse response) : response_(std::move(response)) {}

  grpc::ServerUnaryReactor* GetProduct(grpc::CallbackServerContext* context, const pb::GetProductRequest*,
                                       pb::GetProductResponse* response) override {
    *response = response_;
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const pb::GetProductResponse response_;
};

int Main(int argc, char** argv) {
  std::string port = "0", file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port")
      port = argv[i + 1];
    else if (flag == "--response-file")
      file = argv[i + 1];
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  pb::GetProductResponse response;
  if (file.empty() || !in || !response.ParseFromString(bytes.str())) {
    std::cerr << "zt-bench-echo: --response-file must hold a serialized GetProductResponse\n";
    return 2;
  }
  // Blocked before gRPC starts its threads, so only sigwait below sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  EchoProductService service(response);
  int bound = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + port, grpc::InsecureServerCredentials(), &bound);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server) return 1;
  std::cout << "listening 127.0.0.1:" << bound << std::endl;
  int signal = 0;
  sigwait(&set, &signal);
  server->Shutdown();
  return 0;
}

}  // namespace
}  // namespace zhongtai::bench

int main(int argc, char** argv) { return zhongtai::bench::Main(argc, argv); }
