#include "services/marketing/store/pg_promotion_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/status/status.h"
#include "services/marketing/store/enum_text.h"

namespace zhongtai::marketing {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

const char* StatusText(PromotionStatus status) { return status == PromotionStatus::kPaused ? "PAUSED" : "ACTIVE"; }

// promotions.kind, promotions.layer and promotions.exclusivity (0002_promotion_rules.sql) in enum order.
constexpr const char* kKindTexts[] = {"threshold_reduction",
                                      "threshold_percent",
                                      "item_discount",
                                      "quantity_price",
                                      "nth_item_discount",
                                      "bundle",
                                      "gift"};
constexpr const char* kLayerTexts[] = {"ITEM", "ORDER", "COUPON"};
constexpr const char* kExclusivityTexts[] = {"NONE", "WITHIN_LAYER", "ALL"};

using pg::TextArray;

std::vector<int64_t> BigintArray(const pqxx::field& f) {
  std::vector<int64_t> out;
  for (const std::string& s : TextArray(f)) out.push_back(std::stoll(s));
  return out;
}

constexpr char kColumns[] =
    "promotion_id, request_id, name, currency, threshold_minor, reduction_minor, zt_micros(start_at), "
    "zt_micros(end_at), status, zt_micros(created_at), kind, layer, exclusivity, priority, budget_remaining_minor, "
    "tier_thresholds_minor::text[], tier_reductions_minor::text[], every_amount_minor, every_reduction_minor, "
    "every_cap_minor, percent_off_bp, fixed_off_per_unit_minor, group_quantity, group_price_minor, nth, "
    "bundle_sku_ids, bundle_price_minor, gift_sku_id, gift_quantity, min_quantity, scope_all_products, "
    "scope_category_ids, scope_brand_ids, scope_sku_ids, excluded_category_ids, excluded_brand_ids, "
    "excluded_sku_ids, eligible_member_tiers, eligible_user_tags, new_customers_only, eligible_channels, "
    "combines_with_member_price";

// The values for kColumns' order, from $1; budget -1 stands for NULL (no limit). Arrays as literals.
constexpr char kInsert[] =
    "INSERT INTO promotions (promotion_id, request_id, name, currency, threshold_minor, reduction_minor, start_at, "
    "end_at, status, created_at, kind, layer, exclusivity, priority, budget_remaining_minor, tier_thresholds_minor, "
    "tier_reductions_minor, every_amount_minor, every_reduction_minor, every_cap_minor, percent_off_bp, "
    "fixed_off_per_unit_minor, group_quantity, group_price_minor, nth, bundle_sku_ids, bundle_price_minor, "
    "gift_sku_id, gift_quantity, min_quantity, scope_all_products, scope_category_ids, scope_brand_ids, "
    "scope_sku_ids, excluded_category_ids, excluded_brand_ids, excluded_sku_ids, eligible_member_tiers, "
    "eligible_user_tags, new_customers_only, eligible_channels, combines_with_member_price) "
    "VALUES ($1, $2, $3, $4, $5, $6, zt_ts($7), zt_ts($8), $9, zt_ts($10), $11, $12, $13, $14, NULLIF($15, -1), "
    "$16::bigint[], $17::bigint[], $18, $19, $20, $21, $22, $23, $24, $25, $26::text[], $27, $28, $29, $30, $31, "
    "$32::text[], $33::text[], $34::text[], $35::text[], $36::text[], $37::text[], $38::text[], $39::text[], $40, "
    "$41::text[], $42) "
    "ON CONFLICT (request_id) DO NOTHING RETURNING ";

// An update: $1 is the promotion, the rest in kInsert's order without request_id, currency, created_at and the budget
// (which charges move concurrently, under their own row lock).
constexpr char kUpdate[] =
    "UPDATE promotions SET name = $2, threshold_minor = $3, reduction_minor = $4, start_at = zt_ts($5), "
    "end_at = zt_ts($6), status = $7, kind = $8, layer = $9, exclusivity = $10, priority = $11, "
    "tier_thresholds_minor = $12::bigint[], tier_reductions_minor = $13::bigint[], every_amount_minor = $14, "
    "every_reduction_minor = $15, every_cap_minor = $16, percent_off_bp = $17, fixed_off_per_unit_minor = $18, "
    "group_quantity = $19, group_price_minor = $20, nth = $21, bundle_sku_ids = $22::text[], bundle_price_minor = $23, "
    "gift_sku_id = $24, gift_quantity = $25, min_quantity = $26, scope_all_products = $27, "
    "scope_category_ids = $28::text[], scope_brand_ids = $29::text[], scope_sku_ids = $30::text[], "
    "excluded_category_ids = $31::text[], excluded_brand_ids = $32::text[], excluded_sku_ids = $33::text[], "
    "eligible_member_tiers = $34::text[], eligible_user_tags = $35::text[], new_customers_only = $36, "
    "eligible_channels = $37::text[], combines_with_member_price = $38 "
    "WHERE promotion_id = $1 RETURNING ";

// Every quote runs this (the promotions live now and those it explains: paused, starting soon, ended lately);
// served by promotions_by_end (ended promotions pile up, upcoming ones are few).
const std::string kListOverlapping = absl::StrCat("SELECT ", kColumns,
                                                  " FROM promotions WHERE end_at > zt_ts($1) AND start_at < zt_ts($2) "
                                                  "ORDER BY created_at, promotion_id");

Promotion ReadPromotion(const pqxx::row& row) {
  Promotion p;
  p.promotion_id = row[0].as<std::string>();
  p.request_id = row[1].as<std::string>();
  p.name = row[2].as<std::string>();
  p.currency = row[3].as<std::string>();
  p.threshold = row[4].as<int64_t>();
  p.reduction = row[5].as<int64_t>();
  p.start_time = TimeFromMicros(row[6]);
  p.end_time = TimeFromMicros(row[7]);
  p.status = row[8].as<std::string>() == "PAUSED" ? PromotionStatus::kPaused : PromotionStatus::kActive;
  p.created_at = TimeFromMicros(row[9]);
  p.kind = FromText(row[10].as<std::string>(), kKindTexts, PromotionKind::kThresholdReduction);
  p.layer = FromText(row[11].as<std::string>(), kLayerTexts, PromotionLayer::kOrder);
  p.exclusivity = FromText(row[12].as<std::string>(), kExclusivityTexts, Exclusivity::kWithinLayer);
  p.priority = row[13].as<int>();
  if (!row[14].is_null()) p.budget_remaining = row[14].as<int64_t>();
  std::vector<int64_t> thresholds = BigintArray(row[15]);
  std::vector<int64_t> reductions = BigintArray(row[16]);
  for (size_t i = 0; i < thresholds.size() && i < reductions.size(); ++i) {
    p.tiers.push_back({thresholds[i], reductions[i]});
  }
  p.every_amount = row[17].as<int64_t>();
  p.every_reduction = row[18].as<int64_t>();
  p.every_cap = row[19].as<int64_t>();
  p.percent_off_bp = row[20].as<int32_t>();
  p.fixed_off_per_unit = row[21].as<int64_t>();
  p.group_quantity = row[22].as<int64_t>();
  p.group_price = row[23].as<int64_t>();
  p.nth = row[24].as<int64_t>();
  p.bundle_sku_ids = TextArray(row[25]);
  p.bundle_price = row[26].as<int64_t>();
  p.gift_sku_id = row[27].as<std::string>();
  p.gift_quantity = row[28].as<int64_t>();
  p.min_quantity = row[29].as<int64_t>();
  p.scope.all_products = row[30].as<bool>();
  p.scope.category_ids = TextArray(row[31]);
  p.scope.brand_ids = TextArray(row[32]);
  p.scope.sku_ids = TextArray(row[33]);
  p.scope.excluded_category_ids = TextArray(row[34]);
  p.scope.excluded_brand_ids = TextArray(row[35]);
  p.scope.excluded_sku_ids = TextArray(row[36]);
  p.eligibility.member_tiers = TextArray(row[37]);
  p.eligibility.user_tags = TextArray(row[38]);
  p.eligibility.new_customers_only = row[39].as<bool>();
  p.eligibility.channels = TextArray(row[40]);
  p.combines_with_member_price = row[41].as<bool>();
  return p;
}

std::vector<Promotion> ReadAll(const pqxx::result& rows) {
  std::vector<Promotion> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(ReadPromotion(row));
  return out;
}

}  // namespace

absl::StatusOr<PromotionStore::CreateResult> PgPromotionStore::Create(const Promotion& p) {
  CreateResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    // ON CONFLICT DO NOTHING keeps concurrent replays from failing: the loser reads the winner's row.
    std::vector<int64_t> thresholds;
    std::vector<int64_t> reductions;
    for (const ReductionTier& tier : p.tiers) {
      thresholds.push_back(tier.threshold);
      reductions.push_back(tier.reduction);
    }
    pqxx::result inserted = tx.exec_params(
        absl::StrCat(kInsert, kColumns), p.promotion_id, p.request_id, p.name, p.currency, p.threshold, p.reduction,
        Micros(p.start_time), Micros(p.end_time), StatusText(p.status), Micros(p.created_at),
        kKindTexts[static_cast<int>(p.kind)], kLayerTexts[static_cast<int>(p.layer)],
        kExclusivityTexts[static_cast<int>(p.exclusivity)], p.priority, p.budget_remaining.value_or(-1),
        pg::BigintArrayLiteral(thresholds), pg::BigintArrayLiteral(reductions), p.every_amount, p.every_reduction,
        p.every_cap, p.percent_off_bp, p.fixed_off_per_unit, p.group_quantity, p.group_price, p.nth,
        pg::TextArrayLiteral(p.bundle_sku_ids), p.bundle_price, p.gift_sku_id, p.gift_quantity, p.min_quantity,
        p.scope.all_products, pg::TextArrayLiteral(p.scope.category_ids), pg::TextArrayLiteral(p.scope.brand_ids),
        pg::TextArrayLiteral(p.scope.sku_ids), pg::TextArrayLiteral(p.scope.excluded_category_ids),
        pg::TextArrayLiteral(p.scope.excluded_brand_ids), pg::TextArrayLiteral(p.scope.excluded_sku_ids),
        pg::TextArrayLiteral(p.eligibility.member_tiers), pg::TextArrayLiteral(p.eligibility.user_tags),
        p.eligibility.new_customers_only, pg::TextArrayLiteral(p.eligibility.channels), p.combines_with_member_price);
    if (!inserted.empty()) {
      result = {ReadPromotion(inserted[0]), true};
      return absl::OkStatus();
    }
    pqxx::result existing =
        tx.exec_params(absl::StrCat("SELECT ", kColumns, " FROM promotions WHERE request_id = $1"), p.request_id);
    if (existing.empty()) return Aborted("PROMOTION_CONFLICT", "concurrent create, retry");
    result = {ReadPromotion(existing[0]), false};
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<Promotion> PgPromotionStore::Get(const std::string& promotion_id) {
  Promotion out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows =
        tx.exec_params(absl::StrCat("SELECT ", kColumns, " FROM promotions WHERE promotion_id = $1"), promotion_id);
    if (rows.empty()) return NotFound("PROMOTION_NOT_FOUND", "no such promotion");
    out = ReadPromotion(rows[0]);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Promotion> PgPromotionStore::Update(const Promotion& p) {
  Promotion out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    std::vector<int64_t> thresholds;
    std::vector<int64_t> reductions;
    for (const ReductionTier& tier : p.tiers) {
      thresholds.push_back(tier.threshold);
      reductions.push_back(tier.reduction);
    }
    pqxx::result updated = tx.exec_params(
        absl::StrCat(kUpdate, kColumns), p.promotion_id, p.name, p.threshold, p.reduction, Micros(p.start_time),
        Micros(p.end_time), StatusText(p.status), kKindTexts[static_cast<int>(p.kind)],
        kLayerTexts[static_cast<int>(p.layer)], kExclusivityTexts[static_cast<int>(p.exclusivity)], p.priority,
        pg::BigintArrayLiteral(thresholds), pg::BigintArrayLiteral(reductions), p.every_amount, p.every_reduction,
        p.every_cap, p.percent_off_bp, p.fixed_off_per_unit, p.group_quantity, p.group_price, p.nth,
        pg::TextArrayLiteral(p.bundle_sku_ids), p.bundle_price, p.gift_sku_id, p.gift_quantity, p.min_quantity,
        p.scope.all_products, pg::TextArrayLiteral(p.scope.category_ids), pg::TextArrayLiteral(p.scope.brand_ids),
        pg::TextArrayLiteral(p.scope.sku_ids), pg::TextArrayLiteral(p.scope.excluded_category_ids),
        pg::TextArrayLiteral(p.scope.excluded_brand_ids), pg::TextArrayLiteral(p.scope.excluded_sku_ids),
        pg::TextArrayLiteral(p.eligibility.member_tiers), pg::TextArrayLiteral(p.eligibility.user_tags),
        p.eligibility.new_customers_only, pg::TextArrayLiteral(p.eligibility.channels), p.combines_with_member_price);
    if (updated.empty()) return NotFound("PROMOTION_NOT_FOUND", "no such promotion");
    out = ReadPromotion(updated[0]);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Promotion>> PgPromotionStore::List(const std::string& before_id, int limit) {
  std::vector<Promotion> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows =
        before_id.empty()
            ? tx.exec_params(absl::StrCat("SELECT ", kColumns, " FROM promotions ORDER BY promotion_id DESC LIMIT $1"),
                             limit)
            : tx.exec_params(absl::StrCat("SELECT ", kColumns,
                                          " FROM promotions WHERE promotion_id < $1 ORDER BY promotion_id DESC "
                                          "LIMIT $2"),
                             before_id, limit);
    out = ReadAll(rows);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Promotion>> PgPromotionStore::ListOverlapping(absl::Time from, absl::Time to) {
  std::vector<Promotion> out;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    out = ReadAll(pg::Exec(tx, kListOverlapping, Micros(from), Micros(to)));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::marketing
