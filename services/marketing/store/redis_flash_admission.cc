#include "services/marketing/store/redis_flash_admission.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/marketing/store/flash_admission_scripts.h"
#include "zhongtai/marketing/v1/flash_sales.pb.h"

namespace zhongtai::marketing {
namespace {

// A sale's keys outlive its end by this much, for late polls and releases; settlement does not need them.
constexpr absl::Duration kKeysOutliveSale = absl::Hours(24);

absl::Status BadReply(const char* script) {
  return Internal("REDIS_ERROR", absl::StrCat("unexpected reply from the flash sale ", script, " script"));
}

}  // namespace

RedisFlashAdmission::RedisFlashAdmission(redis::Pool& redis, std::string key_prefix, std::string stream,
                                         RedisPipeline* pipeline)
    : redis_(redis),
      pipeline_(pipeline),
      key_prefix_(std::move(key_prefix)),
      stream_(std::move(stream)),
      admit_(flash_lua::kAdmit),
      load_(flash_lua::kLoad),
      release_(flash_lua::kRelease),
      resize_(flash_lua::kResize) {}

FlashSaleKeys RedisFlashAdmission::KeysFor(const std::string& sale_id) const {
  const std::string base = absl::StrCat(key_prefix_, "{", sale_id, "}:");
  return {base + "meta", base + "remaining", base + "users", base + "requests", base + "buyers", base + "released"};
}

void RedisFlashAdmission::AdmitCommand(const FlashWinner& winner, const std::string& request_id, absl::Time now,
                                       std::vector<std::string>& keys, std::vector<std::string>& args) const {
  FlashSaleKeys k = KeysFor(winner.sale_id);
  keys = {std::move(k.meta),     std::move(k.remaining), std::move(k.users),
          std::move(k.requests), std::move(k.buyers),    stream_};
  args = {absl::StrCat(absl::ToUnixMicros(now)),
          winner.user_id,
          request_id,
          winner.purchase_id,
          winner.sale_id,
          kFlashSaleWonType,
          SerializeFlashWinner(winner),
          absl::FormatTime(absl::RFC3339_full, winner.admit_time, absl::UTCTimeZone())};
}

static absl::StatusOr<FlashAdmission::Result> AdmissionResultOf(const redis::Reply& reply) {
  if (reply.type() != redis::Reply::Type::kArray || reply.size() == 0) return BadReply("admission");
  std::optional<AdmissionOutcome> outcome = AdmissionOutcomeFromName(reply.element(0).str());
  if (!outcome.has_value()) return BadReply("admission");
  FlashAdmission::Result result{*outcome, reply.size() > 1 ? reply.element(1).str() : ""};
  return result;
}

absl::StatusOr<FlashAdmission::Result> RedisFlashAdmission::Admit(const FlashWinner& winner,
                                                                  const std::string& request_id, absl::Time now) {
  std::vector<std::string> keys, args;
  AdmitCommand(winner, request_id, now, keys, args);
  absl::StatusOr<redis::Reply> reply = admit_.Run(redis_, keys, args);
  if (!reply.ok()) return reply.status();
  return AdmissionResultOf(*reply);
}

void RedisFlashAdmission::AdmitAsync(const FlashWinner& winner, const std::string& request_id, absl::Time now,
                                     async::Callback<Result> done) {
  if (pipeline_ == nullptr) return done(Admit(winner, request_id, now));
  std::vector<std::string> keys, args;
  AdmitCommand(winner, request_id, now, keys, args);
  pipeline_->RunScript(admit_.sha(), flash_lua::kAdmit, keys, args,
                       [done = std::move(done)](absl::StatusOr<redis::Reply> reply) {
                         if (!reply.ok()) return done(reply.status());
                         done(AdmissionResultOf(*reply));
                       });
}

absl::StatusOr<bool> RedisFlashAdmission::Load(const Snapshot& snapshot) {
  const FlashSale& sale = snapshot.sale;
  const FlashSaleKeys keys = KeysFor(sale.sale_id);
  std::vector<std::string> args = {absl::StrCat(absl::ToUnixMicros(sale.start_time)),
                                   absl::StrCat(absl::ToUnixMicros(sale.end_time)), absl::StrCat(sale.per_user_limit),
                                   absl::StrCat(sale.quantity),
                                   absl::StrCat(absl::ToUnixMillis(sale.end_time + kKeysOutliveSale))};
  args.reserve(args.size() + 4 * snapshot.purchases.size());
  for (const FlashPurchase& p : snapshot.purchases) {
    args.insert(args.end(),
                {p.purchase_id, p.user_id, p.request_id, p.status == PurchaseStatus::kReleased ? "1" : "0"});
  }
  absl::StatusOr<redis::Reply> reply =
      load_.Run(redis_, {keys.meta, keys.remaining, keys.users, keys.requests, keys.buyers, keys.released}, args);
  if (!reply.ok()) return reply.status();
  return reply->integer() == 1;
}

absl::Status RedisFlashAdmission::Republish(const FlashWinner& winner) {
  // The fields the admission script writes (kAdmit).
  return redis_
      .Command({"XADD", stream_, "*", "id", winner.purchase_id, "type", kFlashSaleWonType, "key", winner.sale_id,
                "payload", SerializeFlashWinner(winner), "occurred_at",
                absl::FormatTime(absl::RFC3339_full, winner.admit_time, absl::UTCTimeZone())})
      .status();
}

absl::StatusOr<FlashAdmission::ResizeResult> RedisFlashAdmission::Resize(const FlashSale& before,
                                                                         const FlashSale& after) {
  const FlashSaleKeys keys = KeysFor(after.sale_id);
  ASSIGN_OR_RETURN(
      redis::Reply reply,
      resize_.Run(
          redis_, {keys.meta, keys.remaining, keys.users, keys.requests, keys.buyers, keys.released},
          {absl::StrCat(before.quantity), absl::StrCat(after.quantity),
           absl::StrCat(absl::ToUnixMicros(after.start_time)), absl::StrCat(absl::ToUnixMicros(after.end_time)),
           absl::StrCat(after.per_user_limit), absl::StrCat(absl::ToUnixMillis(after.end_time + kKeysOutliveSale))}));
  if (reply.type() != redis::Reply::Type::kArray || reply.size() == 0) return BadReply("resize");
  const std::string outcome = reply.element(0).str();
  ResizeResult result;
  if (outcome == "NOT_LOADED") return result;
  if (reply.size() < 2 || !absl::SimpleAtoi(reply.element(1).str(), &result.taken)) return BadReply("resize");
  if (outcome == "APPLIED") {
    result.outcome = ResizeOutcome::kApplied;
  } else if (outcome == "BELOW_TAKEN") {
    result.outcome = ResizeOutcome::kBelowTaken;
  } else {
    return BadReply("resize");
  }
  return result;
}

absl::Status RedisFlashAdmission::Release(const std::string& sale_id, const std::string& purchase_id,
                                          const std::string& user_id) {
  const FlashSaleKeys keys = KeysFor(sale_id);
  return release_.Run(redis_, {keys.meta, keys.remaining, keys.users, keys.released}, {purchase_id, user_id}).status();
}

absl::StatusOr<std::optional<int64_t>> RedisFlashAdmission::Remaining(const std::string& sale_id) {
  ASSIGN_OR_RETURN(redis::Reply reply, redis_.Command({"GET", KeysFor(sale_id).remaining}));
  int64_t remaining = 0;
  if (reply.is_nil() || !absl::SimpleAtoi(reply.str(), &remaining)) return std::nullopt;
  return remaining;
}

absl::StatusOr<std::optional<std::string>> RedisFlashAdmission::PurchaseBuyer(const std::string& sale_id,
                                                                              const std::string& purchase_id) {
  ASSIGN_OR_RETURN(redis::Reply reply, redis_.Command({"HGET", KeysFor(sale_id).buyers, purchase_id}));
  if (reply.is_nil()) return std::nullopt;
  return reply.str();
}

std::string SerializeFlashWinner(const FlashWinner& winner) {
  v1::FlashSaleWon won;
  won.set_purchase_id(winner.purchase_id);
  won.set_order_id(winner.order_id);
  won.set_sale_id(winner.sale_id);
  won.set_user_id(winner.user_id);
  won.set_request_id(winner.request_id);
  won.set_sku_id(winner.sku_id);
  proto::SetMoney(won.mutable_sale_price(), winner.currency, winner.sale_price);
  *won.mutable_admit_time() = proto::ToTimestampExact(winner.admit_time);
  return won.SerializeAsString();
}

bool ParseFlashWinner(const std::string& payload, FlashWinner* winner) {
  v1::FlashSaleWon won;
  if (!won.ParseFromString(payload)) return false;
  winner->purchase_id = won.purchase_id();
  winner->order_id = won.order_id();
  winner->sale_id = won.sale_id();
  winner->user_id = won.user_id();
  winner->request_id = won.request_id();
  winner->sku_id = won.sku_id();
  winner->sale_price = won.sale_price().amount_minor();
  winner->currency = won.sale_price().currency();
  winner->admit_time = proto::FromTimestamp(won.admit_time());
  return true;
}

}  // namespace zhongtai::marketing
