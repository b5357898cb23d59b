// The flash-sale admission in a real Redis (label store): the Lua script agrees with DecideAdmission on every
// combination of its inputs, concurrent buyers never take more than the quantity or their limit, a sale rebuilt from
// PostgreSQL's purchases answers as before, and a unit is given back once.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/async/callback.h"
#include "common/testing/stores.h"
#include "services/marketing/domain/flash_sale_rules.h"
#include "services/marketing/store/redis_flash_admission.h"

namespace zhongtai::marketing {
namespace {

// Now, to the second: a loaded sale's keys expire a day after its end, so its window must be current.
const absl::Time kStart = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
const absl::Time kEnd = kStart + absl::Hours(1);

struct Redis {
  Redis() {
    auto opened = redis::Pool::Open({testing::RedisAddress(), 8, absl::Seconds(2)});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    admission =
        std::make_unique<RedisFlashAdmission>(*pool, testing::UniqueName("fs") + ":", testing::UniqueName("winners"));
  }
  redis::Reply Command(const std::vector<std::string>& argv) {
    absl::StatusOr<redis::Reply> reply = pool->Command(argv);
    REQUIRE(reply.ok());
    return *reply;
  }
  std::unique_ptr<redis::Pool> pool;
  std::unique_ptr<RedisFlashAdmission> admission;
};

FlashSale Sale(const std::string& id, int64_t quantity, int64_t limit) {
  FlashSale sale;
  sale.sale_id = id;
  sale.name = "秒杀";
  sale.sku_id = "sku_1";
  sale.sale_price = 990;
  sale.quantity = quantity;
  sale.per_user_limit = limit;
  sale.start_time = kStart;
  sale.end_time = kEnd;
  sale.status = FlashSaleStatus::kActive;
  return sale;
}

FlashWinner Winner(const std::string& sale_id, const std::string& user, const std::string& purchase_id) {
  FlashWinner w;
  w.purchase_id = purchase_id;
  w.order_id = FlashOrderId(purchase_id);
  w.sale_id = sale_id;
  w.user_id = user;
  w.request_id = "k-" + purchase_id;
  w.sku_id = "sku_1";
  w.sale_price = 990;
  w.currency = "CNY";
  w.admit_time = kStart + absl::Minutes(1);
  return w;
}

TEST_CASE("the admission script decides as DecideAdmission on every combination of its inputs") {
  Redis r;
  int cases = 0;
  for (bool loaded : {false, true}) {
    for (bool replay : {false, true}) {
      for (absl::Time now : {kStart - absl::Microseconds(1), kStart, kEnd - absl::Microseconds(1), kEnd}) {
        for (int64_t held : {0, 1, 2}) {
          for (int64_t remaining : {-1, 0, 1, 5}) {
            const std::string sale_id = absl::StrCat("s", cases++);
            const FlashSaleKeys keys = r.admission->KeysFor(sale_id);
            AdmissionView view;
            view.loaded = loaded;
            view.start_time = kStart;
            view.end_time = kEnd;
            view.per_user_limit = 2;
            view.held_by_user = held;
            view.remaining = remaining;
            if (replay) view.first_purchase_id = "fp_first";
            if (loaded) {
              r.Command({"HSET", keys.meta, "start_us", absl::StrCat(absl::ToUnixMicros(kStart)), "end_us",
                         absl::StrCat(absl::ToUnixMicros(kEnd)), "limit", "2"});
              r.Command({"SET", keys.remaining, absl::StrCat(remaining)});
              if (held > 0) r.Command({"HSET", keys.users, "u1", absl::StrCat(held)});
              if (replay) r.Command({"HSET", keys.requests, "u1|k1", "fp_first"});
            }
            const AdmissionOutcome want = DecideAdmission(view, now);
            absl::StatusOr<FlashAdmission::Result> got = r.admission->Admit(Winner(sale_id, "u1", "fp_new"), "k1", now);
            REQUIRE(got.ok());
            INFO("case " << sale_id << " want " << AdmissionOutcomeName(want));
            CHECK(AdmissionOutcomeName(got->outcome) == std::string(AdmissionOutcomeName(want)));
            if (want == AdmissionOutcome::kReplay) CHECK(got->purchase_id == "fp_first");
            if (want == AdmissionOutcome::kAdmitted) {
              CHECK(got->purchase_id == "fp_new");
              CHECK(r.Command({"GET", keys.remaining}).str() == absl::StrCat(remaining - 1));
              CHECK(r.Command({"HGET", keys.users, "u1"}).str() == absl::StrCat(held + 1));
              CHECK(r.Command({"HGET", keys.requests, "u1|k1"}).str() == "fp_new");
            } else if (loaded) {
              CHECK(r.Command({"GET", keys.remaining}).str() == absl::StrCat(remaining));
            }
            r.Command({"DEL", keys.meta, keys.remaining, keys.users, keys.requests, keys.buyers});
          }
        }
      }
    }
  }
  CHECK(cases == 2 * 2 * 4 * 3 * 4);
}

TEST_CASE("an admitted winner is appended to the stream as a common/events entry that parses back") {
  Redis r;
  REQUIRE(r.admission->Load({Sale("s1", 5, 1), {}}).value());
  FlashWinner w = Winner("s1", "u1", "fp_1");
  REQUIRE(r.admission->Admit(w, "k1", kStart + absl::Minutes(1))->outcome == AdmissionOutcome::kAdmitted);
  redis::Reply entries = r.Command({"XRANGE", r.admission->stream(), "-", "+"});
  REQUIRE(entries.size() == 1);
  const redis::Reply& fields = entries.element(0).element(1);
  std::map<std::string, std::string> by_name;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) by_name[fields.element(i).str()] = fields.element(i + 1).str();
  CHECK(by_name["id"] == "fp_1");
  CHECK(by_name["type"] == kFlashSaleWonType);
  CHECK(by_name["key"] == "s1");
  FlashWinner parsed;
  REQUIRE(ParseFlashWinner(by_name["payload"], &parsed));
  CHECK(parsed.order_id == w.order_id);
  CHECK(parsed.user_id == "u1");
  CHECK(parsed.request_id == "k-fp_1");
  CHECK(parsed.sale_price == 990);
  CHECK(parsed.admit_time == w.admit_time);
  CHECK(*r.admission->PurchaseBuyer("s1", "fp_1") == std::optional<std::string>("u1"));

  // Published again (after Redis lost it): the same fields, so consumers see the same event.
  REQUIRE(r.admission->Republish(w).ok());
  redis::Reply both = r.Command({"XRANGE", r.admission->stream(), "-", "+"});
  REQUIRE(both.size() == 2);
  const redis::Reply& again = both.element(1).element(1);
  REQUIRE(again.size() == fields.size());
  for (size_t i = 0; i < fields.size(); ++i) CHECK(again.element(i).str() == fields.element(i).str());
}

TEST_CASE("10000 concurrent attempts on 50 units admit exactly 50 winners and nobody over the limit") {
  Redis r;
  REQUIRE(r.admission->Load({Sale("hot", 50, 2), {}}).value());
  constexpr int kThreads = 8;
  constexpr int kAttemptsPerThread = 1250;
  constexpr int kBuyers = 400;
  std::mutex mu;
  std::map<std::string, int> wins_by_user;
  int errors = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        const int n = t * kAttemptsPerThread + i;
        const std::string user = absl::StrCat("u", n % kBuyers);
        absl::StatusOr<FlashAdmission::Result> result = r.admission->Admit(
            Winner("hot", user, absl::StrCat("fp_", n)), absl::StrCat("k", n), kStart + absl::Minutes(1));
        std::lock_guard<std::mutex> lock(mu);  // Catch2 assertions are not thread-safe: count, check after
        if (!result.ok()) {
          ++errors;
        } else if (result->outcome == AdmissionOutcome::kAdmitted) {
          ++wins_by_user[user];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(errors == 0);
  int winners = 0;
  for (const auto& [user, wins] : wins_by_user) {
    winners += wins;
    CHECK(wins <= 2);
  }
  CHECK(winners == 50);
  CHECK(r.Command({"XLEN", r.admission->stream()}).integer() == 50);
  CHECK(*r.admission->Remaining("hot") == std::optional<int64_t>(0));
}

TEST_CASE("admissions pipelined on two connections: 10000 at once on 50 units, replays answered, NOSCRIPT resent") {
  Redis r;
  RedisPipeline pipeline({testing::RedisAddress(), 2, absl::Seconds(2), 64});
  RedisFlashAdmission admission(*r.pool, testing::UniqueName("fs") + ":", testing::UniqueName("winners"), &pipeline);
  REQUIRE(admission.Load({Sale("hot", 50, 2), {}}).value());
  r.Command({"SCRIPT", "FLUSH"});  // the first rounds meet NOSCRIPT and are sent again with EVAL
  constexpr int kAttempts = 10000;
  constexpr int kBuyers = 400;
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0, errors = 0;
  std::map<std::string, int> wins_by_user;
  std::map<std::string, std::string> purchase_of_request;
  // Started from 4 threads without waiting for answers: thousands in flight on the pipeline at once.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = t; n < kAttempts; n += 4) {
        const std::string user = absl::StrCat("u", n % kBuyers);
        const std::string request = absl::StrCat("k", n);
        admission.AdmitAsync(Winner("hot", user, absl::StrCat("fp_", n)), request, kStart + absl::Minutes(1),
                             [&, user, request](absl::StatusOr<FlashAdmission::Result> result) {
                               std::lock_guard<std::mutex> lock(mu);
                               if (!result.ok()) {
                                 ++errors;
                               } else if (result->outcome == AdmissionOutcome::kAdmitted) {
                                 ++wins_by_user[user];
                                 purchase_of_request[request + "|" + user] = result->purchase_id;
                               }
                               ++answered;
                               cv.notify_all();
                             });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return answered == kAttempts; }));
  }
  CHECK(errors == 0);
  int winners = 0;
  for (const auto& [user, wins] : wins_by_user) {
    winners += wins;
    CHECK(wins <= 2);
  }
  CHECK(winners == 50);
  CHECK(r.Command({"XLEN", admission.stream()}).integer() == 50);
  CHECK(*admission.Remaining("hot") == std::optional<int64_t>(0));
  CHECK(pipeline.rounds() < pipeline.commands());  // commands shared rounds
  // A winner's retry of its request answers its first purchase, through the pipeline too.
  const auto& [key, first] = *purchase_of_request.begin();
  const std::string request = key.substr(0, key.find('|'));
  const std::string user = key.substr(key.find('|') + 1);
  absl::StatusOr<FlashAdmission::Result> replay =
      async::Await<absl::StatusOr<FlashAdmission::Result>>([&](async::Callback<FlashAdmission::Result> done) {
        admission.AdmitAsync(Winner("hot", user, "fp_retry"), request, kStart + absl::Minutes(1), std::move(done));
      });
  REQUIRE(replay.ok());
  CHECK(replay->outcome == AdmissionOutcome::kReplay);
  CHECK(replay->purchase_id == first);
}

TEST_CASE("a pipeline to a Redis that is not there answers UNAVAILABLE, and the admission says so") {
  Redis r;
  RedisPipeline pipeline({"127.0.0.1:1", 1, absl::Milliseconds(200), 16});
  RedisFlashAdmission admission(*r.pool, testing::UniqueName("fs") + ":", testing::UniqueName("winners"), &pipeline);
  absl::StatusOr<FlashAdmission::Result> result =
      async::Await<absl::StatusOr<FlashAdmission::Result>>([&](async::Callback<FlashAdmission::Result> done) {
        admission.AdmitAsync(Winner("hot", "u1", "fp_1"), "k1", kStart + absl::Minutes(1), std::move(done));
      });
  CHECK(result.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("a sale rebuilt from its recorded purchases holds quantity minus units held and replays request ids") {
  Redis r;
  FlashSale sale = Sale("s1", 5, 2);
  std::vector<FlashPurchase> purchases = {
      {"fp_1", "s1", "u1", "k1", FlashOrderId("fp_1"), PurchaseStatus::kOrdered, kStart},
      {"fp_2", "s1", "u1", "k2", FlashOrderId("fp_2"), PurchaseStatus::kPaid, kStart},
      {"fp_3", "s1", "u2", "k1", FlashOrderId("fp_3"), PurchaseStatus::kReleased, kStart},
  };
  REQUIRE(r.admission->Load({sale, purchases}).value());
  CHECK_FALSE(r.admission->Load({sale, {}}).value());  // already there: untouched
  CHECK(*r.admission->Remaining("s1") == std::optional<int64_t>(3));
  const absl::Time now = kStart + absl::Minutes(1);
  CHECK(r.admission->Admit(Winner("s1", "u1", "fp_4"), "k3", now)->outcome == AdmissionOutcome::kLimitReached);
  FlashAdmission::Result replay = *r.admission->Admit(Winner("s1", "u2", "fp_5"), "k1", now);
  CHECK(replay.outcome == AdmissionOutcome::kReplay);
  CHECK(replay.purchase_id == "fp_3");
  CHECK(r.admission->Admit(Winner("s1", "u2", "fp_6"), "k2", now)->outcome == AdmissionOutcome::kAdmitted);

  // A cancelled order gives its unit back once, also to the buyer's limit.
  REQUIRE(r.admission->Release("s1", "fp_1", "u1").ok());
  REQUIRE(r.admission->Release("s1", "fp_1", "u1").ok());
  CHECK(*r.admission->Remaining("s1") == std::optional<int64_t>(3));
  CHECK(r.admission->Admit(Winner("s1", "u1", "fp_7"), "k4", now)->outcome == AdmissionOutcome::kAdmitted);
  // fp_3 was released before the rebuild: releasing it again changes nothing.
  REQUIRE(r.admission->Release("s1", "fp_3", "u2").ok());
  CHECK(*r.admission->Remaining("s1") == std::optional<int64_t>(2));
}

}  // namespace
}  // namespace zhongtai::marketing

namespace zhongtai::marketing {
namespace {

TEST_CASE("a resize moves remaining by the quantity's change, never below the units taken, with the window") {
  Redis r;
  const FlashSale before = Sale("rs", 5, 5);
  FlashSale after = before;
  after.quantity = 2;
  CHECK(r.admission->Resize(before, after)->outcome == FlashAdmission::ResizeOutcome::kNotLoaded);
  REQUIRE(r.admission->Load({before, {}}).value());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(r.admission->Admit(Winner("rs", "u", absl::StrCat("fp_", i)), absl::StrCat("k", i), kStart)->outcome ==
            AdmissionOutcome::kAdmitted);
  }
  absl::StatusOr<FlashAdmission::ResizeResult> refused = r.admission->Resize(before, after);
  REQUIRE(refused.ok());
  CHECK(refused->outcome == FlashAdmission::ResizeOutcome::kBelowTaken);
  CHECK(refused->taken == 3);
  CHECK(*r.admission->Remaining("rs") == std::optional<int64_t>(2));

  after.quantity = 4;
  after.per_user_limit = 4;
  absl::StatusOr<FlashAdmission::ResizeResult> applied = r.admission->Resize(before, after);
  REQUIRE(applied.ok());
  CHECK(applied->outcome == FlashAdmission::ResizeOutcome::kApplied);
  CHECK(*r.admission->Remaining("rs") == std::optional<int64_t>(1));
  CHECK(r.admission->Admit(Winner("rs", "v", "fp_a"), "ka", kStart)->outcome == AdmissionOutcome::kAdmitted);
  CHECK(r.admission->Admit(Winner("rs", "w", "fp_b"), "kb", kStart)->outcome == AdmissionOutcome::kSoldOut);
  // A released unit comes back within the new quantity.
  REQUIRE(r.admission->Release("rs", "fp_a", "v").ok());
  CHECK(*r.admission->Remaining("rs") == std::optional<int64_t>(1));

  // The quantity in Redis is the one resized to, whatever `before` a stale caller passes; the window follows.
  FlashSale ended = after;
  ended.end_time = kStart + absl::Minutes(2);
  REQUIRE(r.admission->Resize(before, ended)->outcome == FlashAdmission::ResizeOutcome::kApplied);
  CHECK(*r.admission->Remaining("rs") == std::optional<int64_t>(1));
  CHECK(r.admission->Admit(Winner("rs", "x", "fp_c"), "kc", kStart + absl::Minutes(2))->outcome ==
        AdmissionOutcome::kEnded);
}

TEST_CASE("a quantity cut during 4000 concurrent attempts: winners never exceed the quantity in force") {
  Redis r;
  const FlashSale before = Sale("cut", 1000, 100);
  REQUIRE(r.admission->Load({before, {}}).value());
  std::atomic<int> admitted{0}, errors{0};
  std::atomic<bool> cut{false};
  std::atomic<int> taken_at_cut{-1};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        const int n = t * 1000 + i;
        auto result = r.admission->Admit(Winner("cut", absl::StrCat("u", n % 50), absl::StrCat("fp_", n)),
                                         absl::StrCat("k", n), kStart + absl::Minutes(1));
        if (!result.ok()) {
          ++errors;
        } else if (result->outcome == AdmissionOutcome::kAdmitted) {
          ++admitted;
        }
      }
    });
  }
  threads.emplace_back([&] {
    // Down to 300 while buyers are being admitted; retried upwards while more than that is taken.
    for (int64_t quantity = 300; quantity <= 1000 && !cut; quantity += 50) {
      FlashSale after = before;
      after.quantity = quantity;
      auto result = r.admission->Resize(before, after);
      if (result.ok() && result->outcome == FlashAdmission::ResizeOutcome::kApplied) {
        cut = true;
        taken_at_cut = static_cast<int>(quantity);
      }
    }
  });
  for (auto& thread : threads) thread.join();
  CHECK(errors == 0);
  REQUIRE(cut);
  CHECK(admitted == taken_at_cut.load());  // every unit of the new quantity won, none more
  CHECK(*r.admission->Remaining("cut") == std::optional<int64_t>(0));
  CHECK(r.Command({"XLEN", r.admission->stream()}).integer() == admitted.load());
}

}  // namespace
}  // namespace zhongtai::marketing
