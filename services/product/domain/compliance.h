// Listing compliance (广告法, the Advertising Law): absolute terms such as 最佳, 第一, 国家级 that a listing may not
// use. Admins keep a versioned word list; every term has a category and a severity (block or warn). The check
// normalises the text first (full-width to half-width, case folded, spaces and separators between characters
// dropped, so "最 佳", "最-佳" and "ＴＯＰ１" are caught) and then runs one Aho-Corasick automaton over the code
// points, so a check costs time linear in the text whatever the size of the list.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zhongtai::product {

enum class ComplianceSeverity { kBlock, kWarn };
const char* ComplianceSeverityName(ComplianceSeverity severity);  // "block", "warn"

struct ComplianceWord {
  std::string term;
  std::string category;  // e.g. "absolute", "authority", "superlative"
  ComplianceSeverity severity = ComplianceSeverity::kBlock;
};

struct ComplianceWordList {
  int64_t version = 0;
  std::vector<ComplianceWord> words;
  absl::Time updated_at;
};

inline constexpr int kMaxComplianceWords = 20000;
inline constexpr size_t kMaxComplianceTermBytes = 64;
inline constexpr size_t kMaxComplianceCategoryBytes = 32;

// INVALID_ARGUMENT naming the field (words[i].term, words[i].category) for an empty term, a term that is only
// separators, a term longer than 64 bytes or not UTF-8, or two terms that normalise to the same text.
absl::Status ValidateWordList(const std::vector<ComplianceWord>& words);

// Text as the matcher sees it: one code point per kept character, with each one's code-point offset in the
// original text.
struct NormalizedText {
  std::u32string text;
  std::vector<int> origin;
};

// Full-width forms to half-width (U+FF01..U+FF5E, the ideographic space), ASCII letters to lower case; white
// space, separators and decorative punctuation dropped. Invalid UTF-8 bytes count as one U+FFFD each.
NormalizedText NormalizeForCompliance(absl::string_view utf8);

// The number of code points in valid UTF-8 (invalid bytes count one each, as NormalizeForCompliance does).
int CodePointCount(absl::string_view utf8);

// A multi-pattern matcher over code points (Aho-Corasick). Patterns are normalised texts; Find reports every
// occurrence of every pattern in one pass over the text.
class AhoCorasick {
 public:
  explicit AhoCorasick(const std::vector<std::u32string>& patterns);

  struct Match {
    int pattern = 0;  // index into the constructor's patterns
    int begin = 0;    // offset of the first code point in the searched text
    int length = 0;   // in code points
  };
  std::vector<Match> Find(const std::u32string& text) const;
  size_t node_count() const { return nodes_.size(); }

 private:
  struct Node {
    std::unordered_map<char32_t, int> next;
    int fail = 0;
    int pattern = -1;      // the pattern ending here, if any
    int output_link = -1;  // the nearest node on the fail chain where a pattern ends
    int depth = 0;
  };
  std::vector<Node> nodes_;
};

// One forbidden term found in one field of a listing.
struct ComplianceHit {
  std::string field;    // "title", "subtitle", "description", "attributes[颜色]"
  std::string word;     // the list's term
  std::string matched;  // the original text that matched, e.g. "最 佳"
  int position = 0;     // code-point offset of the match in the field's original text
  int length = 0;       // in code points of the original text
  std::string category;
  ComplianceSeverity severity = ComplianceSeverity::kBlock;
};

struct ComplianceReport {
  int64_t word_list_version = 0;
  std::vector<ComplianceHit> hits;  // by field (in the order given), then position
  bool blocked() const;
};

// The texts of a listing, each with the field name a hit reports.
using ListingFields = std::vector<std::pair<std::string, std::string>>;

// A word list compiled for checking. Immutable, so one instance serves concurrent checks.
class ComplianceChecker {
 public:
  explicit ComplianceChecker(ComplianceWordList list);

  // Every occurrence of a listed term. Where terms overlap (全网最低 contains 最低 and 最), only the longest
  // match covering a stretch is reported.
  ComplianceReport Check(const ListingFields& fields) const;
  int64_t version() const { return list_.version; }

 private:
  ComplianceWordList list_;
  std::unique_ptr<AhoCorasick> automaton_;
  std::vector<int> word_of_pattern_;
};

// The FAILED_PRECONDITION LISTING_NOT_COMPLIANT error of a blocked listing, naming the first blocking hits in
// the message and carrying every hit as error details (common/status/details.h).
absl::Status NotCompliantError(const ComplianceReport& report);

// The hits as a JSON array of {field, word, matched, position, length, category, severity}.
std::string HitsAsJson(const std::vector<ComplianceHit>& hits);

}  // namespace zhongtai::product
