#include "common/clock/service_clock.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace zhongtai {
namespace {

std::string TempPath() {
  char name[] = "/tmp/zt-clock-offset-XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  close(fd);
  return name;
}

void WriteOffset(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST_CASE("ServiceClock follows the offset file, read again while it runs") {
  std::string path = TempPath();
  WriteOffset(path, "600\n");
  ServiceClock clock(path);
  absl::Duration ahead = clock.Now() - absl::Now();
  CHECK(ahead > absl::Seconds(599));
  CHECK(ahead < absl::Seconds(601));

  WriteOffset(path, "-3600.5\n");  // a jump back, while it runs
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  absl::Duration behind = absl::Now() - clock.Now();
  CHECK(behind > absl::Seconds(3600));
  CHECK(behind < absl::Seconds(3601));

  std::remove(path.c_str());  // gone: the system clock again
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  CHECK(absl::AbsDuration(clock.Now() - absl::Now()) < absl::Seconds(1));
}

TEST_CASE("ServiceClock without an offset file is the system clock") {
  ServiceClock clock(std::string{});
  CHECK(absl::AbsDuration(clock.Now() - absl::Now()) < absl::Seconds(1));
  std::string path = TempPath();
  WriteOffset(path, "soon");
  ServiceClock garbage(path);
  CHECK(absl::AbsDuration(garbage.Now() - absl::Now()) < absl::Seconds(1));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace zhongtai
