// zt-health-probe ADDRESS [SERVICE]: calls grpc.health.v1.Health/Check and exits 0 when the answer is SERVING,
// 1 otherwise. The container HEALTHCHECK of the image; built in the Dockerfile's build stage with g++ alone so that
// the image needs no Go toolchain for grpc_health_probe. The request and response are tiny protobuf messages,
// encoded by hand: HealthCheckRequest{string service = 1}, HealthCheckResponse{ServingStatus status = 1}.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: zt-health-probe HOST:PORT [SERVICE]\n");
    return 2;
  }
  std::string service = argc == 3 ? argv[2] : "";
  if (service.size() > 127) return 2;
  std::string request = service.empty() ? "" : std::string{'\x0a', static_cast<char>(service.size())} + service;

  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1), out;

  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    status = std::move(s);
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  if (!status.ok()) {
    std::fprintf(stderr, "health check failed: %s\n", status.error_message().c_str());
    return 1;
  }
  std::vector<grpc::Slice> slices;
  out.Dump(&slices);
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  bool serving = bytes.size() == 2 && bytes[0] == '\x08' && bytes[1] == '\x01';
  std::printf("%s\n", serving ? "SERVING" : "NOT_SERVING");
  return serving ? 0 : 1;
}
