// Fuzz target: the listing compliance matcher (services/product/domain/compliance.h), which reads every title,
// subtitle, description and attribute a seller writes, and the admins' word list. An input is
//   "<term>\t<category>\t<b|w>\n..." (the word list) then "\n\n" then "<field>\t<text>\n..." (the listing).
// Besides "no crash, no UB":
//   - the normaliser keeps one origin per kept code point, increasing, inside the text;
//   - the Aho-Corasick automaton finds exactly the occurrences a naive search finds (every pattern, every place);
//   - every hit lies inside its field's text, reports a listed term, and hits do not overlap within a field;
//   - the error and the hits' JSON are built for any report.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/product/domain/compliance.h"

namespace {

using namespace zhongtai::product;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "property violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void CheckNormalized(absl::string_view text) {
  NormalizedText normalized = NormalizeForCompliance(text);
  if (normalized.origin.size() != normalized.text.size()) Fail("origin and text differ in length", std::string(text));
  int count = CodePointCount(text);
  for (size_t i = 0; i < normalized.origin.size(); ++i) {
    if (normalized.origin[i] < 0 || normalized.origin[i] >= count) Fail("origin outside the text", std::string(text));
    if (i > 0 && normalized.origin[i] <= normalized.origin[i - 1]) Fail("origins not increasing", std::string(text));
  }
}

// Every (begin, length, pattern text) a naive search finds equals what the automaton reports. Patterns that are
// equal are reported once by the automaton (under the first index), so occurrences compare by pattern text.
void CheckAutomaton(const AhoCorasick& automaton, const std::vector<std::u32string>& patterns,
                    const std::u32string& text) {
  std::set<std::tuple<int, int, std::u32string>> found;
  for (const AhoCorasick::Match& m : automaton.Find(text)) {
    if (m.pattern < 0 || m.pattern >= static_cast<int>(patterns.size())) Fail("match of no pattern", "");
    if (m.begin < 0 || m.length <= 0 || m.begin + m.length > static_cast<int>(text.size())) Fail("match outside", "");
    if (text.compare(m.begin, m.length, patterns[m.pattern]) != 0) Fail("match is not its pattern", "");
    found.emplace(m.begin, m.length, patterns[m.pattern]);
  }
  std::set<std::tuple<int, int, std::u32string>> expected;
  for (const std::u32string& p : patterns) {
    if (p.empty()) continue;
    for (size_t at = text.find(p); at != std::u32string::npos; at = text.find(p, at + 1)) {
      expected.emplace(static_cast<int>(at), static_cast<int>(p.size()), p);
    }
  }
  if (found != expected) {
    Fail("automaton and naive search disagree",
         "found " + std::to_string(found.size()) + ", expected " + std::to_string(expected.size()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::pair<std::string, std::string> halves = absl::StrSplit(input, absl::MaxSplits("\n\n", 1));

  std::vector<ComplianceWord> words;
  for (absl::string_view line : absl::StrSplit(halves.first, '\n', absl::SkipEmpty())) {
    std::vector<std::string> cells = absl::StrSplit(line, absl::MaxSplits('\t', 2));
    cells.resize(3);
    ComplianceWord word;
    word.term = cells[0];
    word.category = cells[1].empty() ? "absolute" : cells[1];
    word.severity = cells[2] == "w" ? ComplianceSeverity::kWarn : ComplianceSeverity::kBlock;
    words.push_back(std::move(word));
  }
  ListingFields fields;
  for (absl::string_view line : absl::StrSplit(halves.second, '\n', absl::SkipEmpty())) {
    std::pair<std::string, std::string> cells = absl::StrSplit(line, absl::MaxSplits('\t', 1));
    // Names made distinct, so that a hit tells its entry.
    fields.emplace_back(cells.first + "#" + std::to_string(fields.size()), cells.second);
  }

  for (const ComplianceWord& word : words) CheckNormalized(word.term);
  for (const auto& [name, text] : fields) CheckNormalized(text);

  // The automaton on its own, with the normalised terms (also those the list check would refuse).
  std::vector<std::u32string> patterns;
  for (const ComplianceWord& word : words) patterns.push_back(NormalizeForCompliance(word.term).text);
  AhoCorasick automaton(patterns);
  for (const auto& [name, text] : fields) CheckAutomaton(automaton, patterns, NormalizeForCompliance(text).text);

  // The checker as the product service runs it: only over a list that passed ValidateWordList.
  if (!ValidateWordList(words).ok()) return 0;
  std::set<std::string> terms;
  for (const ComplianceWord& word : words) terms.insert(word.term);
  ComplianceChecker checker({7, words, absl::UnixEpoch()});
  ComplianceReport report = checker.Check(fields);
  if (report.word_list_version != 7) Fail("wrong version", "");
  std::string last_field;
  int covered_until = -1;
  for (const ComplianceHit& hit : report.hits) {
    auto field = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == hit.field; });
    if (field == fields.end()) Fail("hit in no field", hit.field);
    if (terms.count(hit.word) == 0) Fail("hit of a term not listed", hit.word);
    int count = CodePointCount(field->second);
    if (hit.position < 0 || hit.length <= 0 || hit.position + hit.length > count) Fail("hit outside its field", "");
    if (hit.field != last_field) covered_until = -1;
    if (hit.field == last_field && hit.position < covered_until && hit.position + hit.length <= covered_until) {
      Fail("hit inside another", hit.field);
    }
    covered_until = std::max(covered_until, hit.position + hit.length);
    last_field = hit.field;
  }
  absl::Status error = NotCompliantError(report);
  if (error.ok()) Fail("NotCompliantError is OK", "");
  std::string json = HitsAsJson(report.hits);
  if (json.empty() || json.front() != '[' || json.back() != ']') Fail("hits JSON is not an array", json);
  return 0;
}
