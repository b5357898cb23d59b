// The saga runner on its own: order of steps, reverse undo, and completions that arrive on other threads.
#include "common/async/saga.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "common/status/status.h"

namespace zhongtai::async {
namespace {

struct Journal {
  std::vector<std::string> entries;
};
using TestSaga = Saga<Journal>;

// A step that succeeds (or fails with `failure`) and whose undo writes "undo <name>" with the cause's reason.
TestSaga::Step Recorded(std::string name, absl::Status failure = absl::OkStatus(), bool undoable = true) {
  TestSaga::Step step(name, [name, failure](Journal& journal, StatusCallback done) {
    journal.entries.push_back(name);
    done(failure);
  });
  if (undoable) {
    step.undo = [name](Journal& journal, const absl::Status& cause, std::function<void()> done) {
      journal.entries.push_back("undo " + name + " after " + ReasonOf(cause));
      done();
    };
  }
  return step;
}

absl::Status RunSaga(std::shared_ptr<Journal> journal, std::vector<TestSaga::Step> steps) {
  return Await<absl::Status>([&](StatusCallback done) { TestSaga::Run(journal, std::move(steps), std::move(done)); });
}

TEST_CASE("a saga runs its steps in order and undoes nothing when they all succeed") {
  auto journal = std::make_shared<Journal>();
  CHECK(RunSaga(journal, {Recorded("a"), Recorded("b"), Recorded("c")}).ok());
  CHECK(journal->entries == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("a failed step stops the saga and the finished steps are undone in reverse before it reports") {
  auto journal = std::make_shared<Journal>();
  absl::Status failed = RunSaga(journal, {Recorded("a"), Recorded("b", absl::OkStatus(), /*undoable=*/false),
                                          Recorded("c"), Recorded("d", Unavailable("D_DOWN", "d")), Recorded("e")});
  CHECK(ReasonOf(failed) == "D_DOWN");
  CHECK(journal->entries == std::vector<std::string>{"a", "b", "c", "d", "undo c after D_DOWN", "undo a after D_DOWN"});
}

TEST_CASE("a step that may have taken effect although it failed is undone too") {
  auto journal = std::make_shared<Journal>();
  TestSaga::Step reserve = Recorded("reserve", Error(absl::StatusCode::kDeadlineExceeded, "TIMEOUT", "slow"));
  reserve.undo_when_failed = true;
  absl::Status failed = RunSaga(journal, {Recorded("a"), reserve});
  CHECK(ReasonOf(failed) == "TIMEOUT");
  CHECK(journal->entries ==
        std::vector<std::string>{"a", "reserve", "undo reserve after TIMEOUT", "undo a after TIMEOUT"});
}

TEST_CASE("steps and undos may finish on other threads") {
  auto journal = std::make_shared<Journal>();
  std::mutex mu;  // a new thread may call `later` before emplace_back returned
  std::vector<std::thread> threads;
  auto later = [&](std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mu);
    threads.emplace_back(std::move(fn));
  };
  auto deferred = [&later](std::string name, absl::Status failure) {
    TestSaga::Step step(name, [&later, name, failure](Journal& journal, StatusCallback done) {
      journal.entries.push_back(name);
      later([done, failure] { done(failure); });
    });
    step.undo = [&later, name](Journal& journal, const absl::Status&, std::function<void()> done) {
      journal.entries.push_back("undo " + name);
      later(done);
    };
    return step;
  };
  // Threads are only joined after the saga reported, so every step ran on a thread of its own.
  absl::Status failed = Await<absl::Status>([&](StatusCallback done) {
    TestSaga::Run(
        journal,
        {deferred("a", absl::OkStatus()), deferred("b", absl::OkStatus()), deferred("c", Aborted("C_FAILED", "c"))},
        std::move(done));
  });
  std::lock_guard<std::mutex> lock(mu);
  for (auto& thread : threads) thread.join();
  CHECK(ReasonOf(failed) == "C_FAILED");
  CHECK(journal->entries == std::vector<std::string>{"a", "b", "c", "undo b", "undo a"});
}

}  // namespace
}  // namespace zhongtai::async
