// async::All: every operation starts before any answers, `done` runs once after the last, and the error reported is
// the earliest failed operation's whatever the order the answers arrive in.
#include "common/async/all.h"

#include <catch2/catch.hpp>
#include <thread>

#include "common/status/status.h"

namespace zhongtai::async {
namespace {

TEST_CASE("all operations start at once and done runs once after the last answer") {
  std::vector<StatusCallback> pending;
  int finished = 0;
  absl::Status outcome = Internal("NOT_CALLED", "");
  All({[&](StatusCallback done) { pending.push_back(done); }, [&](StatusCallback done) { pending.push_back(done); }},
      [&](absl::Status status) {
        ++finished;
        outcome = status;
      });
  REQUIRE(pending.size() == 2);  // both started while neither answered
  pending[1](absl::OkStatus());
  CHECK(finished == 0);
  pending[0](absl::OkStatus());
  CHECK(finished == 1);
  CHECK(outcome.ok());
}

TEST_CASE("the earliest failed operation's error is reported, answered from other threads") {
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> threads;
    absl::Status outcome;
    std::atomic<int> finished{0};
    std::vector<Operation> operations;
    for (int i = 0; i < 4; ++i) {
      operations.push_back([&threads, i](StatusCallback done) {
        threads.emplace_back([i, done] {
          done(i == 1 ? Unavailable("SECOND", "") : i == 3 ? Unavailable("FOURTH", "") : absl::OkStatus());
        });
      });
    }
    All(std::move(operations), [&](absl::Status status) {
      outcome = status;
      ++finished;
    });
    for (auto& thread : threads) thread.join();
    CHECK(finished == 1);
    CHECK(ReasonOf(outcome) == "SECOND");
  }
}

TEST_CASE("no operations is done at once") {
  bool called = false;
  All({}, [&](absl::Status status) { called = status.ok(); });
  CHECK(called);
}

}  // namespace
}  // namespace zhongtai::async
