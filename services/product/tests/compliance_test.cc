#include "services/product/domain/compliance.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <set>
#include <tuple>

#include "common/status/details.h"
#include "common/status/status.h"

namespace zhongtai::product {
namespace {

ComplianceWordList Words(std::vector<ComplianceWord> words) {
  ComplianceWordList list;
  list.version = 7;
  list.words = std::move(words);
  return list;
}

const ComplianceWordList& TypicalList() {
  static const ComplianceWordList list = Words({
      {"最", "superlative", ComplianceSeverity::kWarn},
      {"最佳", "superlative", ComplianceSeverity::kBlock},
      {"最低", "superlative", ComplianceSeverity::kBlock},
      {"全网最低", "superlative", ComplianceSeverity::kBlock},
      {"第一", "ranking", ComplianceSeverity::kBlock},
      {"国家级", "authority", ComplianceSeverity::kBlock},
      {"100%", "absolute", ComplianceSeverity::kBlock},
      {"TOP1", "ranking", ComplianceSeverity::kBlock},
  });
  return list;
}

TEST_CASE("normalising folds widths and case and drops separators, remembering where each character was",
          "[compliance]") {
  NormalizedText n = NormalizeForCompliance("最 佳-ＡＢｃ");
  CHECK(n.text == U"最佳abc");
  CHECK(n.origin == std::vector<int>{0, 2, 4, 5, 6});
  CHECK(NormalizeForCompliance("１００％").text == U"100%");
  CHECK(NormalizeForCompliance("最\u3000佳").text == U"最佳");
  CHECK(CodePointCount("手机ab") == 4);
}

TEST_CASE("a listing's forbidden words are found with field, word, position and severity", "[compliance]") {
  ComplianceChecker checker(TypicalList());
  ComplianceReport report = checker.Check({{"title", "华为手机 全网最低价"}, {"subtitle", "好用"}});
  REQUIRE(report.hits.size() == 1);  // 全网最低 covers 最低 and 最: one hit, the longest
  CHECK(report.hits[0].field == "title");
  CHECK(report.hits[0].word == "全网最低");
  CHECK(report.hits[0].position == 5);
  CHECK(report.hits[0].length == 4);
  CHECK(report.hits[0].category == "superlative");
  CHECK(report.blocked());
  CHECK(report.word_list_version == 7);
}

TEST_CASE("spacing tricks, full-width forms and mixed case do not hide a word", "[compliance]") {
  ComplianceChecker checker(TypicalList());
  ComplianceReport report = checker.Check(
      {{"title", "本店 最 · 佳 选择"}, {"description", "纯度１００％，销量Top 1"}, {"attributes[等级]", "国-家-级"}});
  REQUIRE(report.hits.size() == 4);
  CHECK(report.hits[0].word == "最佳");
  CHECK(report.hits[0].matched == "最 · 佳");
  CHECK(report.hits[0].position == 3);
  CHECK(report.hits[0].length == 5);
  CHECK(report.hits[1].field == "description");
  CHECK(report.hits[1].word == "100%");
  CHECK(report.hits[1].matched == "１００％");
  CHECK(report.hits[1].position == 2);
  CHECK(report.hits[2].word == "TOP1");
  CHECK(report.hits[2].matched == "Top 1");
  CHECK(report.hits[3].field == "attributes[等级]");
  CHECK(report.hits[3].word == "国家级");
}

TEST_CASE("a warning alone does not block, and clean text has no hits", "[compliance]") {
  ComplianceChecker checker(TypicalList());
  ComplianceReport warned = checker.Check({{"title", "最近上新的手机"}});
  REQUIRE(warned.hits.size() == 1);
  CHECK(warned.hits[0].severity == ComplianceSeverity::kWarn);
  CHECK_FALSE(warned.blocked());
  CHECK(checker.Check({{"title", "华为 Mate 60 手机 12GB"}}).hits.empty());
}

TEST_CASE("a blocked listing's error names the reason and carries every hit as details", "[compliance]") {
  ComplianceChecker checker(TypicalList());
  absl::Status error = NotCompliantError(checker.Check({{"title", "第一品牌"}}));
  CHECK(error.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(error) == "LISTING_NOT_COMPLIANT");
  CHECK(DetailsOf(error) ==
        R"([{"field":"title","word":"第一","matched":"第一","position":0,"length":2,"category":"ranking",)"
        R"("severity":"block"}])");
}

TEST_CASE("a word list is refused with the field named for an empty, duplicate or overlong term", "[compliance]") {
  CHECK(ValidateWordList(TypicalList().words).ok());
  absl::Status empty =
      ValidateWordList({{"最佳", "a", ComplianceSeverity::kBlock}, {" - ", "a", ComplianceSeverity::kBlock}});
  CHECK(FieldOf(empty) == "words[1].term");
  CHECK(ReasonOf(empty) == "FIELD_REQUIRED");
  absl::Status duplicate =
      ValidateWordList({{"最佳", "a", ComplianceSeverity::kBlock}, {"最 佳", "a", ComplianceSeverity::kWarn}});
  CHECK(FieldOf(duplicate) == "words[1].term");
  CHECK(ReasonOf(duplicate) == "DUPLICATE_TERM");
  CHECK(FieldOf(ValidateWordList({{std::string(65, 'x'), "a", ComplianceSeverity::kBlock}})) == "words[0].term");
  CHECK(FieldOf(ValidateWordList({{"最佳", "", ComplianceSeverity::kBlock}})) == "words[0].category");
  CHECK(ReasonOf(ValidateWordList({{"\xff\xfe", "a", ComplianceSeverity::kBlock}})) == "INVALID_UTF8");
}

// Every occurrence of every pattern, the slow obvious way.
std::vector<std::tuple<int, int, int>> NaiveFind(const std::vector<std::u32string>& patterns,
                                                 const std::u32string& text) {
  std::vector<std::tuple<int, int, int>> out;
  for (size_t p = 0; p < patterns.size(); ++p) {
    for (size_t at = text.find(patterns[p]); at != std::u32string::npos; at = text.find(patterns[p], at + 1)) {
      out.emplace_back(static_cast<int>(at), static_cast<int>(patterns[p].size()), static_cast<int>(p));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("the automaton finds exactly what a naive search finds, for thousands of terms over a long text",
          "[compliance]") {
  // A small alphabet of Chinese characters so that terms overlap, share prefixes and suffixes and occur often.
  const std::u32string alphabet = U"最佳第一顶级国家绝对独无二全网低万能首个极品";
  std::mt19937 random(42);
  std::set<std::u32string> unique;
  while (unique.size() < 3000) {
    std::u32string term;
    int length = 1 + static_cast<int>(random() % 6);
    for (int k = 0; k < length; ++k) term.push_back(alphabet[random() % alphabet.size()]);
    unique.insert(term);
  }
  std::vector<std::u32string> patterns(unique.begin(), unique.end());
  std::u32string text;
  for (int k = 0; k < 20000; ++k) text.push_back(alphabet[random() % alphabet.size()]);

  AhoCorasick automaton(patterns);
  std::vector<std::tuple<int, int, int>> found;
  for (const auto& m : automaton.Find(text)) found.emplace_back(m.begin, m.length, m.pattern);
  std::sort(found.begin(), found.end());
  CHECK(found == NaiveFind(patterns, text));
  CHECK(!found.empty());
}

TEST_CASE("checking costs time linear in the text, not in the number of terms", "[compliance]") {
  std::vector<ComplianceWord> words;
  for (int k = 0; k < 5000; ++k) {
    words.push_back({"禁用词" + std::to_string(k), "test", ComplianceSeverity::kBlock});
  }
  words.push_back({"最佳", "superlative", ComplianceSeverity::kBlock});
  ComplianceChecker checker(Words(words));
  std::string text;
  for (int k = 0; k < 20000; ++k) text += "这款手机很好用，";
  text += "最佳";
  auto start = std::chrono::steady_clock::now();
  ComplianceReport report = checker.Check({{"description", text}});
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(report.hits.size() == 1);
  CHECK(report.hits[0].position == 160000);
  // 160,000 characters against 5,000 terms: a loop over the words would do 800 million steps; the automaton a
  // few hundred thousand. A second is generous for a loaded machine and far below the naive cost.
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() < 1000);
}

}  // namespace
}  // namespace zhongtai::product
