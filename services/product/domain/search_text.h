// How shoppers' search cuts text, the same way on both sides: migration 0004 (zt_search_normalize,
// zt_search_grams) indexes products, these functions cut the query. There is no word segmenter: text is split at
// whitespace only, ASCII is lower-cased, and a token is indexed by its unigrams and bigrams, so that any substring
// of a token of two or more characters (手机 in 华为手机) is found through its bigrams.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhongtai::product {

// The characters (code points, UTF-8 encoded) of `text`; INVALID_ARGUMENT INVALID_UTF8 naming `field` when it is
// not valid UTF-8.
absl::StatusOr<std::vector<std::string>> Utf8Characters(absl::string_view text, absl::string_view field);

// ASCII lower-cased, runs of whitespace (ASCII and the ideographic space U+3000) to one space, trimmed.
std::string NormalizeSearchText(absl::string_view text);

// The distinct whitespace-separated tokens of normalized text, in order of first appearance.
std::vector<std::string> SearchTokens(absl::string_view normalized);

// Sorted, distinct unigrams and bigrams of every token: what the index holds for a product.
std::vector<std::string> IndexGrams(absl::string_view normalized);

// What a query term must find in the index: its bigrams, or the term itself when it is one character.
std::vector<std::string> TermGrams(absl::string_view term);

}  // namespace zhongtai::product
