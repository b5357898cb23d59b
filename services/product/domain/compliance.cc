#include "services/product/domain/compliance.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log/log.h"
#include "common/status/details.h"
#include "common/status/status.h"

namespace zhongtai::product {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at `i`, advancing it; an invalid sequence yields U+FFFD and one byte.
char32_t DecodeUtf8(absl::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int extra = 0;
  char32_t cp = 0;
  if (c < 0x80) {
    ++i;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    extra = 1;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3;
    cp = c & 0x07;
  } else {
    ++i;
    return kReplacement;
  }
  if (i + extra >= s.size()) {
    ++i;
    return kReplacement;
  }
  for (int k = 1; k <= extra; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += extra + 1;
  return cp;
}

bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t before = i;
    if (DecodeUtf8(s, i) == kReplacement && !(i - before == 3 && s.substr(before, 3) == "\xEF\xBF\xBD")) return false;
  }
  return true;
}

// Characters a seller may slip between the characters of a word to hide it ("最 佳", "最-佳", "最*佳"), and
// white space of every width. '%' and digits stay: "100%" is a term of its own.
bool IsSeparator(char32_t c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
    case '-':
    case '_':
    case '.':
    case '*':
    case '~':
    case '|':
    case '/':
    case '\\':
    case ',':
    case ';':
    case ':':
    case '\'':
    case '"':
    case '`':
    case '^':
    case '+':
    case '=':
    case '#':
    case '&':
    case '!':
    case '?':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '<':
    case '>':
    case 0x00A0:  // no-break space
    case 0x00B7:  // ·
    case 0x2022:  // •
    case 0x2026:  // …
    case 0x3000:  // ideographic space
    case 0x3001:
    case 0x3002:  // 、。
    case 0x300A:
    case 0x300B:  // 《》
    case 0x3010:
    case 0x3011:  // 【】
    case 0x2018:
    case 0x2019:  // ‘’
    case 0x201C:
    case 0x201D:  // “”
    case 0x2014:
    case 0x2013:  // — –
    case 0x30FB:  // ・
    case 0x200B:
    case 0x200C:
    case 0x200D:
    case 0xFEFF:  // zero-width characters
      return true;
    default: return c >= 0x2000 && c <= 0x200A;  // the typographic spaces
  }
}

char32_t Fold(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII forms
  if (c == 0x3000) c = ' ';
  if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
  return c;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::u32string Decode(absl::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) out.push_back(DecodeUtf8(s, i));
  return out;
}

}  // namespace

const char* ComplianceSeverityName(ComplianceSeverity severity) {
  return severity == ComplianceSeverity::kBlock ? "block" : "warn";
}

int CodePointCount(absl::string_view utf8) {
  int n = 0;
  for (size_t i = 0; i < utf8.size(); ++n) DecodeUtf8(utf8, i);
  return n;
}

NormalizedText NormalizeForCompliance(absl::string_view utf8) {
  NormalizedText out;
  int position = 0;
  for (size_t i = 0; i < utf8.size(); ++position) {
    char32_t c = Fold(DecodeUtf8(utf8, i));
    if (IsSeparator(c)) continue;
    out.text.push_back(c);
    out.origin.push_back(position);
  }
  return out;
}

absl::Status ValidateWordList(const std::vector<ComplianceWord>& words) {
  if (words.size() > static_cast<size_t>(kMaxComplianceWords)) {
    return InvalidArgument("words", "TOO_MANY_WORDS", absl::StrCat("at most ", kMaxComplianceWords, " words"));
  }
  std::map<std::u32string, size_t> seen;
  for (size_t i = 0; i < words.size(); ++i) {
    const ComplianceWord& word = words[i];
    std::string field = absl::StrCat("words[", i, "]");
    if (word.term.size() > kMaxComplianceTermBytes) {
      return InvalidArgument(field + ".term", "FIELD_TOO_LONG",
                             absl::StrCat("a term is at most ", kMaxComplianceTermBytes, " bytes"));
    }
    if (!IsValidUtf8(word.term)) {
      return InvalidArgument(field + ".term", "INVALID_UTF8", "a term must be UTF-8 text");
    }
    NormalizedText normalized = NormalizeForCompliance(word.term);
    if (normalized.text.empty()) {
      return InvalidArgument(field + ".term", "FIELD_REQUIRED", "a term needs at least one letter, digit or character");
    }
    if (word.category.empty() || word.category.size() > kMaxComplianceCategoryBytes) {
      return InvalidArgument(field + ".category", "FIELD_REQUIRED",
                             absl::StrCat("a category of 1 to ", kMaxComplianceCategoryBytes, " bytes is required"));
    }
    auto [it, inserted] = seen.emplace(normalized.text, i);
    if (!inserted) {
      return InvalidArgument(field + ".term", "DUPLICATE_TERM",
                             absl::StrCat("the term matches the same text as words[", it->second, "]"));
    }
  }
  return absl::OkStatus();
}

AhoCorasick::AhoCorasick(const std::vector<std::u32string>& patterns) {
  nodes_.emplace_back();
  for (size_t p = 0; p < patterns.size(); ++p) {
    int node = 0;
    for (char32_t c : patterns[p]) {
      auto it = nodes_[node].next.find(c);
      if (it == nodes_[node].next.end()) {
        int child = static_cast<int>(nodes_.size());
        int depth = nodes_[node].depth + 1;
        nodes_[node].next.emplace(c, child);
        nodes_.emplace_back();
        nodes_.back().depth = depth;
        node = child;
      } else {
        node = it->second;
      }
    }
    if (node != 0 && nodes_[node].pattern < 0) nodes_[node].pattern = static_cast<int>(p);
  }
  // Breadth first: a node's fail link points to the longest proper suffix of its path that is also a path.
  std::deque<int> queue;
  for (const auto& [c, child] : nodes_[0].next) {
    nodes_[child].fail = 0;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    int node = queue.front();
    queue.pop_front();
    for (const auto& [c, child] : nodes_[node].next) {
      int f = nodes_[node].fail;
      while (f != 0 && nodes_[f].next.find(c) == nodes_[f].next.end()) f = nodes_[f].fail;
      auto it = nodes_[f].next.find(c);
      int fail = (it != nodes_[f].next.end() && it->second != child) ? it->second : 0;
      nodes_[child].fail = fail;
      nodes_[child].output_link = nodes_[fail].pattern >= 0 ? fail : nodes_[fail].output_link;
      queue.push_back(child);
    }
  }
}

std::vector<AhoCorasick::Match> AhoCorasick::Find(const std::u32string& text) const {
  std::vector<Match> matches;
  int node = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char32_t c = text[i];
    while (node != 0 && nodes_[node].next.find(c) == nodes_[node].next.end()) node = nodes_[node].fail;
    auto it = nodes_[node].next.find(c);
    node = it == nodes_[node].next.end() ? 0 : it->second;
    for (int out = nodes_[node].pattern >= 0 ? node : nodes_[node].output_link; out >= 0;
         out = nodes_[out].output_link) {
      int length = nodes_[out].depth;
      matches.push_back({nodes_[out].pattern, static_cast<int>(i) + 1 - length, length});
    }
  }
  return matches;
}

bool ComplianceReport::blocked() const {
  return std::any_of(hits.begin(), hits.end(),
                     [](const ComplianceHit& hit) { return hit.severity == ComplianceSeverity::kBlock; });
}

ComplianceChecker::ComplianceChecker(ComplianceWordList list) : list_(std::move(list)) {
  std::vector<std::u32string> patterns;
  for (size_t i = 0; i < list_.words.size(); ++i) {
    std::u32string normalized = NormalizeForCompliance(list_.words[i].term).text;
    if (normalized.empty()) continue;
    patterns.push_back(std::move(normalized));
    word_of_pattern_.push_back(static_cast<int>(i));
  }
  automaton_ = std::make_unique<AhoCorasick>(patterns);
}

ComplianceReport ComplianceChecker::Check(const ListingFields& fields) const {
  ComplianceReport report;
  report.word_list_version = list_.version;
  for (const auto& [field, text] : fields) {
    if (text.empty()) continue;
    NormalizedText normalized = NormalizeForCompliance(text);
    std::vector<AhoCorasick::Match> matches = automaton_->Find(normalized.text);
    // Longest first at each start, then drop what a kept match already covers.
    std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.length > b.length;
    });
    std::u32string original = Decode(text);
    int covered_until = -1;  // one past the last normalised code point a kept match covers
    for (const auto& match : matches) {
      int end = match.begin + match.length;
      if (end <= covered_until) continue;
      covered_until = std::max(covered_until, end);
      const ComplianceWord& word = list_.words[word_of_pattern_[match.pattern]];
      ComplianceHit hit;
      hit.field = field;
      hit.word = word.term;
      hit.position = normalized.origin[match.begin];
      int last = normalized.origin[end - 1];
      hit.length = last - hit.position + 1;
      for (int k = hit.position; k <= last && k < static_cast<int>(original.size()); ++k) {
        AppendUtf8(hit.matched, original[k]);
      }
      hit.category = word.category;
      hit.severity = word.severity;
      report.hits.push_back(std::move(hit));
    }
  }
  return report;
}

std::string HitsAsJson(const std::vector<ComplianceHit>& hits) {
  std::vector<std::string> items;
  for (const ComplianceHit& hit : hits) {
    items.push_back(absl::StrCat(
        "{\"field\":\"", log::JsonEscape(hit.field), "\",\"word\":\"", log::JsonEscape(hit.word), "\",\"matched\":\"",
        log::JsonEscape(hit.matched), "\",\"position\":", hit.position, ",\"length\":", hit.length, ",\"category\":\"",
        log::JsonEscape(hit.category), "\",\"severity\":\"", ComplianceSeverityName(hit.severity), "\"}"));
  }
  return absl::StrCat("[", absl::StrJoin(items, ","), "]");
}

absl::Status NotCompliantError(const ComplianceReport& report) {
  std::vector<std::string> blocking;
  for (const ComplianceHit& hit : report.hits) {
    if (hit.severity != ComplianceSeverity::kBlock) continue;
    if (blocking.size() == 3) {
      blocking.push_back("...");
      break;
    }
    blocking.push_back(absl::StrCat(hit.field, " uses \"", hit.word, "\" at ", hit.position));
  }
  absl::Status status =
      Error(absl::StatusCode::kFailedPrecondition, "LISTING_NOT_COMPLIANT",
            absl::StrCat("the listing uses words the Advertising Law forbids: ", absl::StrJoin(blocking, "; ")));
  return WithDetails(std::move(status), HitsAsJson(report.hits));
}

}  // namespace zhongtai::product
