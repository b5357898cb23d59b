#include "services/marketing/domain/best_price.h"

#include <algorithm>
#include <array>
#include <tuple>

#include "services/marketing/domain/pricing.h"
#include "services/marketing/domain/promotion_rules.h"

namespace zhongtai::marketing {
namespace {

constexpr int kLayers = 3;

int LayerIndex(const Promotion& p) { return static_cast<int>(p.layer); }

struct Candidate {
  const Promotion* promotion = nullptr;
  std::vector<char> in_scope;
  // Lines in its scope but left out because they are member-priced and it does not combine with member price.
  bool member_priced_left_out = false;
};

// Which promotions are in the combination being built, and what it allows next.
struct Selection {
  std::vector<char> chosen;
  int count = 0;
  bool exclusive_of_all = false;
  std::array<int, kLayers> in_layer{};
  std::array<bool, kLayers> layer_closed{};  // a within-layer exclusive one is chosen
};

bool Compatible(const Promotion& p, const Selection& s) {
  if (s.exclusive_of_all) return false;
  if (p.exclusivity == Exclusivity::kAll && s.count > 0) return false;
  if (s.layer_closed[LayerIndex(p)]) return false;
  if (p.exclusivity == Exclusivity::kWithinLayer && s.in_layer[LayerIndex(p)] > 0) return false;
  return true;
}

bool FitsBudget(const Promotion& p, int64_t discount) {
  return !p.budget_remaining.has_value() || discount <= *p.budget_remaining;
}

class BestPriceSearch {
 public:
  BestPriceSearch(const std::vector<QuoteLineInput>& lines, const std::vector<Candidate>& candidates)
      : lines_(lines), candidates_(candidates) {}

  std::vector<char> Run(const std::vector<int64_t>& amounts, int64_t total) {
    Selection selection;
    selection.chosen.assign(candidates_.size(), 0);
    std::vector<int64_t> current = amounts;
    Visit(0, current, total, selection, Worths(0, current, selection));
    return best_chosen_;
  }

 private:
  // What each candidate from k on, still compatible with the selection, would take off the current amounts.
  // Discounts only shrink as amounts do, so in every branch below each of these bounds that candidate.
  std::vector<int64_t> Worths(size_t k, const std::vector<int64_t>& amounts, const Selection& s) {
    std::vector<int64_t> worths(candidates_.size(), 0);
    for (size_t j = k; j < candidates_.size(); ++j) {
      const Promotion& p = *candidates_[j].promotion;
      if (!Compatible(p, s)) continue;
      int64_t discount = EvaluateRule(p, lines_, candidates_[j].in_scope, amounts).discount;
      worths[j] = p.budget_remaining.has_value() ? std::min(discount, *p.budget_remaining) : discount;
    }
    return worths;
  }

  // An upper bound of what candidates k.. can still take off: per layer either the stackable ones together or
  // one within-layer exclusive; or one exclusive-of-all alone.
  int64_t Bound(size_t k, const std::vector<int64_t>& worths, const Selection& s) {
    if (s.exclusive_of_all) return 0;
    std::array<int64_t, kLayers> stackable{};
    std::array<int64_t, kLayers> best_exclusive{};
    int64_t best_exclusive_of_all = 0;
    for (size_t j = k; j < candidates_.size(); ++j) {
      const Promotion& p = *candidates_[j].promotion;
      if (!Compatible(p, s)) continue;
      int layer = LayerIndex(p);
      if (p.exclusivity == Exclusivity::kNone) stackable[layer] += worths[j];
      if (p.exclusivity == Exclusivity::kWithinLayer) {
        best_exclusive[layer] = std::max(best_exclusive[layer], worths[j]);
      }
      if (p.exclusivity == Exclusivity::kAll) best_exclusive_of_all = std::max(best_exclusive_of_all, worths[j]);
    }
    int64_t bound = 0;
    for (int layer = 0; layer < kLayers; ++layer) bound += std::max(stackable[layer], best_exclusive[layer]);
    return std::max(bound, best_exclusive_of_all);
  }

  // Include-first depth-first search: leaves come in decreasing order of preference, so only a strictly lower
  // total replaces the best, and a branch that cannot go strictly lower is cut. The first leaf is the greedy
  // solution (every compatible promotion that applies), the first upper bound.
  void Visit(size_t k, std::vector<int64_t>& amounts, int64_t total, Selection& s, const std::vector<int64_t>& worths) {
    if (found_ && total - std::min(total, Bound(k, worths, s)) >= best_total_) return;
    if (k == candidates_.size()) {
      best_total_ = total;
      best_chosen_ = s.chosen;
      found_ = true;
      return;
    }
    const Promotion& p = *candidates_[k].promotion;
    if (Compatible(p, s) && (worths[k] > 0 || p.kind == PromotionKind::kGift)) {
      RuleEvaluation eval = EvaluateRule(p, lines_, candidates_[k].in_scope, amounts);
      if (eval.applies && FitsBudget(p, eval.discount)) {
        Selection before = s;
        int layer = LayerIndex(p);
        s.chosen[k] = 1;
        ++s.count;
        ++s.in_layer[layer];
        s.exclusive_of_all = p.exclusivity == Exclusivity::kAll;
        s.layer_closed[layer] = s.layer_closed[layer] || p.exclusivity == Exclusivity::kWithinLayer;
        for (size_t i = 0; i < amounts.size(); ++i) amounts[i] -= eval.shares[i];
        Visit(k + 1, amounts, total - eval.discount, s, eval.discount > 0 ? Worths(k + 1, amounts, s) : worths);
        for (size_t i = 0; i < amounts.size(); ++i) amounts[i] += eval.shares[i];
        s = std::move(before);
      }
    }
    Visit(k + 1, amounts, total, s, worths);
  }

  const std::vector<QuoteLineInput>& lines_;
  const std::vector<Candidate>& candidates_;
  bool found_ = false;
  int64_t best_total_ = 0;
  std::vector<char> best_chosen_;
};

NotApplied NotAppliedFor(const Promotion& p) {
  NotApplied out;
  out.promotion_id = p.promotion_id;
  out.name = p.name;
  return out;
}

// Why a promotion that the chosen combination left out is not in it, at the amounts it would have applied to.
NotApplied ExplainLeftOut(const Candidate& candidate, const RuleEvaluation& eval,
                          const std::vector<Candidate>& candidates, const std::vector<char>& chosen) {
  const Promotion& p = *candidate.promotion;
  NotApplied out = NotAppliedFor(p);
  if (!eval.applies) {
    out.reason = eval.reason;
    out.amount_missing = eval.amount_missing;
    out.quantity_missing = eval.quantity_missing;
    out.missing_sku_ids = eval.missing_sku_ids;
    return out;
  }
  if (!FitsBudget(p, eval.discount)) {
    out.reason = NotAppliedReason::kBudgetSpent;
    return out;
  }
  for (size_t j = 0; j < candidates.size(); ++j) {
    if (!chosen[j]) continue;
    const Promotion& other = *candidates[j].promotion;
    bool same_layer = other.layer == p.layer;
    bool conflicts =
        p.exclusivity == Exclusivity::kAll || other.exclusivity == Exclusivity::kAll ||
        (same_layer && (p.exclusivity == Exclusivity::kWithinLayer || other.exclusivity == Exclusivity::kWithinLayer));
    if (conflicts) {
      out.reason = NotAppliedReason::kExcluded;
      out.by_promotion_id = other.promotion_id;
      return out;
    }
  }
  out.reason = NotAppliedReason::kLessFavorable;
  return out;
}

std::string CurrencyOf(const QuoteLineInput& line) { return line.currency.empty() ? kDefaultCurrency : line.currency; }

}  // namespace

bool AppliesBefore(const Promotion& a, const Promotion& b) {
  return std::make_tuple(static_cast<int>(a.layer), -static_cast<int64_t>(a.priority), a.promotion_id) <
         std::make_tuple(static_cast<int>(b.layer), -static_cast<int64_t>(b.priority), b.promotion_id);
}

Quote QuoteBestPrice(const std::vector<QuoteLineInput>& lines, const std::vector<Promotion>& promotions,
                     const Shopper& shopper, absl::Time now) {
  Quote quote;
  quote.currency = lines.empty() ? kDefaultCurrency : CurrencyOf(lines[0]);
  std::vector<int64_t> amounts;
  for (const QuoteLineInput& line : lines) {
    QuotedLine out;
    out.sku_id = line.sku_id;
    out.quantity = line.quantity;
    out.unit_price = line.unit_price;
    out.subtotal = line.unit_price * line.quantity;
    quote.subtotal += out.subtotal;
    amounts.push_back(out.subtotal);
    quote.lines.push_back(out);
  }

  std::vector<const Promotion*> ordered;
  for (const Promotion& p : promotions) ordered.push_back(&p);
  std::sort(ordered.begin(), ordered.end(),
            [](const Promotion* a, const Promotion* b) { return AppliesBefore(*a, *b); });

  std::vector<Candidate> candidates;
  for (const Promotion* p : ordered) {
    NotApplied skipped = NotAppliedFor(*p);
    const bool live = p->status == PromotionStatus::kActive && p->start_time <= now && now < p->end_time;
    // One that is not live is explained only to a cart it would reach: a paused promotion on shoes is no hint
    // for a quote of books.
    if (!live &&
        std::none_of(lines.begin(), lines.end(), [p](const QuoteLineInput& line) { return InScope(p->scope, line); })) {
      continue;
    }
    if (p->status == PromotionStatus::kPaused) {
      skipped.reason = NotAppliedReason::kPaused;
    } else if (now < p->start_time) {
      skipped.reason = NotAppliedReason::kNotStarted;
    } else if (now >= p->end_time) {
      skipped.reason = NotAppliedReason::kEnded;
    } else if (p->currency != quote.currency) {
      skipped.reason = NotAppliedReason::kCurrencyMismatch;
    } else if (!IsEligible(p->eligibility, shopper)) {
      skipped.reason = NotAppliedReason::kNotEligible;
    } else if (p->budget_remaining.has_value() && *p->budget_remaining <= 0) {
      skipped.reason = NotAppliedReason::kBudgetSpent;
    } else {
      Candidate candidate{p, {}};
      for (const QuoteLineInput& line : lines) {
        bool in_scope = InScope(p->scope, line);
        if (in_scope && line.member_price && !p->combines_with_member_price) {
          in_scope = false;
          candidate.member_priced_left_out = true;
        }
        candidate.in_scope.push_back(in_scope);
      }
      candidates.push_back(std::move(candidate));
      continue;
    }
    quote.not_applied.push_back(std::move(skipped));
  }

  // Out of the search: what cannot apply even on list prices (discounts only shrink as amounts do).
  std::vector<Candidate> searched;
  std::vector<NotApplied> hopeless;
  for (Candidate& candidate : candidates) {
    RuleEvaluation eval = EvaluateRule(*candidate.promotion, lines, candidate.in_scope, amounts);
    if (eval.applies) {
      searched.push_back(std::move(candidate));
    } else {
      hopeless.push_back(ExplainLeftOut(candidate, eval, {}, {}));
      if (candidate.member_priced_left_out) hopeless.back().reason = NotAppliedReason::kNotWithMemberPrice;
    }
  }

  std::vector<char> chosen = BestPriceSearch(lines, searched).Run(amounts, quote.subtotal);
  for (size_t k = 0; k < searched.size(); ++k) {
    const Promotion& p = *searched[k].promotion;
    RuleEvaluation eval = EvaluateRule(p, lines, searched[k].in_scope, amounts);
    if (!chosen[k]) {
      quote.not_applied.push_back(ExplainLeftOut(searched[k], eval, searched, chosen));
      continue;
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      if (eval.shares[i] == 0) continue;
      amounts[i] -= eval.shares[i];
      quote.lines[i].discount += eval.shares[i];
      quote.lines[i].shares.push_back({p.promotion_id, eval.shares[i]});
    }
    quote.discount += eval.discount;
    quote.applied.push_back({p.promotion_id, p.name, eval.discount, p.budget_remaining.has_value()});
    if (p.kind == PromotionKind::kGift) {
      QuotedLine gift;
      gift.sku_id = p.gift_sku_id;
      gift.quantity = p.gift_quantity;
      gift.gift = true;
      gift.gift_promotion_id = p.promotion_id;
      quote.lines.push_back(gift);
    }
  }
  for (NotApplied& n : hopeless) quote.not_applied.push_back(std::move(n));
  for (QuotedLine& line : quote.lines) line.total = line.subtotal - line.discount;
  quote.total = quote.subtotal - quote.discount;
  return quote;
}

}  // namespace zhongtai::marketing
