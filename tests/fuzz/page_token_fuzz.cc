// Fuzz target: the page-token decoders, which read a string a client sends back as pageToken on every list.
// The first byte picks the decoder, the rest is the token (or, for the round trips, the value to encode):
//   product: DecodePageToken / DecodeNumberToken (services/product/domain/page_tokens.h), and the shoppers' search
//            (ParseSearchRequest with the token and a query, which checks the token belongs to that query);
//   order:   DecodeOrderCursor (services/order/domain/page_tokens.h);
//   user:    DecodeMemberToken, DecodeSegmentToken, DecodePointsToken (services/user/domain/page_tokens.h);
//   marketing: DecodeIdToken for promotions and experiments (services/marketing/domain/page_tokens.h).
// (The data hub's webhook deliveries take a plain decimal id, read by absl::SimpleAtoi with a > 0 check.)
// Properties besides "no crash, no UB": a decoded token encodes back to one that decodes to the same value; a
// value encoded decodes back to itself; an order or member cursor's time is one the stores' SQL can use.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "services/marketing/domain/page_tokens.h"
#include "services/order/domain/page_tokens.h"
#include "services/product/domain/page_tokens.h"
#include "services/product/domain/product_search.h"
#include "services/user/domain/page_tokens.h"

namespace {

using namespace zhongtai;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "property violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void ProductToken(const std::string& kind, const std::string& token) {
  absl::StatusOr<std::string> id = product::DecodePageToken(kind, token);
  if (id.ok()) {
    absl::StatusOr<std::string> again = product::DecodePageToken(kind, product::EncodePageToken(kind, *id));
    if (!again.ok() || *again != *id) Fail("product token does not round-trip", token);
  }
  if (!token.empty()) {
    absl::StatusOr<std::string> back = product::DecodePageToken(kind, product::EncodePageToken(kind, token));
    if (!back.ok() || *back != token) Fail("product id does not round-trip", token);
  }
  absl::StatusOr<int64_t> number = product::DecodeNumberToken(kind, token);
  if (number.ok() && *number < 0) Fail("negative number token", token);
}

void Search(const std::string& input) {
  // "<token>\n<q>\n<sort>\n<attribute>...": the token against a query it may or may not belong to.
  std::vector<std::string> lines = absl::StrSplit(input, '\n');
  product::SearchRequest request;
  request.page_token = lines[0];
  if (lines.size() > 1) request.q = lines[1];
  if (lines.size() > 2) request.sort = lines[2];
  for (size_t i = 3; i < lines.size(); ++i) request.attributes.push_back(lines[i]);
  absl::StatusOr<product::SearchQuery> query = product::ParseSearchRequest(request);
  if (!query.ok()) return;
  if (query->after) {
    std::string token = product::EncodeSearchPageToken(*query, *query->after);
    absl::StatusOr<product::SearchCursor> again = product::DecodeSearchPageToken(*query, token);
    if (!again.ok() || again->key != query->after->key || again->product_id != query->after->product_id) {
      Fail("search token does not round-trip", input);
    }
  }
  // A cursor of this query, whatever its id, comes back from its own token.
  product::SearchCursor cursor{static_cast<int64_t>(input.size()) - 7, lines.back().empty() ? "p" : lines.back()};
  absl::StatusOr<product::SearchCursor> back =
      product::DecodeSearchPageToken(*query, product::EncodeSearchPageToken(*query, cursor));
  if (!back.ok() || back->key != cursor.key || back->product_id != cursor.product_id) {
    Fail("search cursor does not round-trip", input);
  }
}

void CheckOrderCursor(const std::string& token) {
  absl::StatusOr<order::OrderCursor> cursor = order::DecodeOrderCursor(token);
  if (cursor.ok()) {
    if (cursor->created_micros < order::kEarliestCursorMicros || cursor->created_micros > order::kLatestCursorMicros) {
      Fail("order cursor out of the stores' range", token);
    }
    absl::StatusOr<order::OrderCursor> again = order::DecodeOrderCursor(order::EncodeOrderCursor(*cursor));
    if (!again.ok() || again->created_micros != cursor->created_micros || again->order_id != cursor->order_id) {
      Fail("order cursor does not round-trip", token);
    }
  }
  if (!token.empty()) {
    order::OrderCursor made{static_cast<int64_t>(token.size()) * 1000003 - 5000000, token};
    absl::StatusOr<order::OrderCursor> back = order::DecodeOrderCursor(order::EncodeOrderCursor(made));
    if (!back.ok() || back->created_micros != made.created_micros || back->order_id != token) {
      Fail("order id does not round-trip", token);
    }
  }
}

void UserTokens(int which, const std::string& token) {
  switch (which) {
    case 0: {
      absl::StatusOr<std::optional<user::MemberCursor>> cursor = user::DecodeMemberToken(token);
      if (cursor.ok() && *cursor) {
        int64_t micros = absl::ToUnixMicros((*cursor)->registered_at);
        if (micros < -62135596800000000 || micros > 253402300799000000) Fail("member cursor out of range", token);
        auto again = user::DecodeMemberToken(user::EncodeMemberToken(**cursor));
        if (!again.ok() || !*again || (*again)->registered_at != (*cursor)->registered_at ||
            (*again)->user_id != (*cursor)->user_id) {
          Fail("member token does not round-trip", token);
        }
      }
      break;
    }
    case 1: {
      absl::StatusOr<std::string> id = user::DecodeSegmentToken(token);
      if (id.ok() && !id->empty()) {
        auto again = user::DecodeSegmentToken(user::EncodeSegmentToken(*id));
        if (!again.ok() || *again != *id) Fail("segment token does not round-trip", token);
      }
      if (!token.empty()) {
        auto back = user::DecodeSegmentToken(user::EncodeSegmentToken(token));
        if (!back.ok() || *back != token) Fail("segment id does not round-trip", token);
      }
      break;
    }
    default: {
      absl::StatusOr<int64_t> seq = user::DecodePointsToken(token);
      if (seq.ok()) {
        if (*seq < 0 || (*seq == 0 && !token.empty())) Fail("points token out of range", token);
        auto again = user::DecodePointsToken(user::EncodePointsToken(*seq));
        if (!again.ok() || *again != *seq) Fail("points token does not round-trip", token);
      }
      break;
    }
  }
}

void MarketingToken(absl::string_view prefix, const std::string& token) {
  absl::StatusOr<std::string> id = marketing::DecodeIdToken(prefix, token);
  if (id.ok()) {
    if (id->empty()) Fail("empty id from a marketing token", token);
    auto again = marketing::DecodeIdToken(prefix, marketing::EncodeIdToken(prefix, *id));
    if (!again.ok() || *again != *id) Fail("marketing token does not round-trip", token);
  }
  // A promotion's token is not an experiment's.
  absl::string_view other =
      prefix == marketing::kPromotionTokenPrefix ? marketing::kExperimentTokenPrefix : marketing::kPromotionTokenPrefix;
  if (!token.empty() && marketing::DecodeIdToken(other, marketing::EncodeIdToken(prefix, token)).ok()) {
    Fail("a token of one list read by another", token);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  int which = data[0] % 10;
  std::string token(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (which) {
    case 0: ProductToken("p", token); break;
    case 1: ProductToken(std::string(1, static_cast<char>('a' + data[0] % 26)), token); break;
    case 2: Search(token); break;
    case 3: CheckOrderCursor(token); break;
    case 4: UserTokens(0, token); break;
    case 5: UserTokens(1, token); break;
    case 6: UserTokens(2, token); break;
    case 7: MarketingToken(marketing::kPromotionTokenPrefix, token); break;
    case 8: MarketingToken(marketing::kExperimentTokenPrefix, token); break;
    default: {
      // The same bytes through every decoder.
      ProductToken("c", token);
      CheckOrderCursor(token);
      for (int i = 0; i < 3; ++i) UserTokens(i, token);
      MarketingToken(marketing::kPromotionTokenPrefix, token);
      break;
    }
  }
  return 0;
}
