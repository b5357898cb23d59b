// FlashAdmission over Redis: the scripts of flash_admission_scripts.h on one Redis (the sale's keys share a hash
// tag; the winners' stream is its own key, so the admission needs a single Redis node, not a cluster).
#pragma once

#include <string>
#include <vector>

#include "common/redis/redis.h"
#include "services/marketing/domain/flash_sale_ports.h"
#include "services/marketing/store/redis_pipeline.h"

namespace zhongtai::marketing {

// The stream the admission script appends winners to; the order center and marketing's ingest consume it.
inline constexpr char kFlashWinnerStream[] = "zt.flash.winners";
inline constexpr char kFlashSaleWonType[] = "zhongtai.marketing.v1.FlashSaleWon";

struct FlashSaleKeys {
  std::string meta, remaining, users, requests, buyers, released;
};

class RedisFlashAdmission : public FlashAdmission {
 public:
  // `key_prefix` (e.g. "zt:fs:") and `stream` let tests keep to keys of their own.
  // With a pipeline, AdmitAsync sends the admission script on it (no thread waits for Redis); without, it is Admit.
  RedisFlashAdmission(redis::Pool& redis, std::string key_prefix = "zt:fs:", std::string stream = kFlashWinnerStream,
                      RedisPipeline* pipeline = nullptr);

  absl::StatusOr<Result> Admit(const FlashWinner& winner, const std::string& request_id, absl::Time now) override;
  void AdmitAsync(const FlashWinner& winner, const std::string& request_id, absl::Time now,
                  async::Callback<Result> done) override;
  absl::StatusOr<bool> Load(const Snapshot& snapshot) override;
  absl::Status Republish(const FlashWinner& winner) override;
  absl::StatusOr<ResizeResult> Resize(const FlashSale& before, const FlashSale& after) override;
  absl::Status Release(const std::string& sale_id, const std::string& purchase_id, const std::string& user_id) override;
  absl::StatusOr<std::optional<int64_t>> Remaining(const std::string& sale_id) override;
  absl::StatusOr<std::optional<std::string>> PurchaseBuyer(const std::string& sale_id,
                                                           const std::string& purchase_id) override;

  FlashSaleKeys KeysFor(const std::string& sale_id) const;
  const std::string& stream() const { return stream_; }
  // The admission script's SHA1, for running it from outside (the benchmark's redis-benchmark EVALSHA).
  const std::string& admit_sha() const { return admit_.sha(); }

 private:
  // The admission script's keys and arguments.
  void AdmitCommand(const FlashWinner& winner, const std::string& request_id, absl::Time now,
                    std::vector<std::string>& keys, std::vector<std::string>& args) const;

  redis::Pool& redis_;
  RedisPipeline* pipeline_;
  std::string key_prefix_;
  std::string stream_;
  redis::Script admit_;
  redis::Script load_;
  redis::Script release_;
  redis::Script resize_;
};

// The winner as the stream entry's payload (FlashSaleWon), and back.
std::string SerializeFlashWinner(const FlashWinner& winner);
bool ParseFlashWinner(const std::string& payload, FlashWinner* winner);

}  // namespace zhongtai::marketing
