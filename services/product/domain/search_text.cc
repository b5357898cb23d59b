#include "services/product/domain/search_text.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {
namespace {

constexpr char kIdeographicSpace[] = "\xE3\x80\x80";  // U+3000

// The byte length of the UTF-8 character starting with `lead`; 0 when `lead` cannot start one.
size_t CharacterLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool IsSpace(absl::string_view character) {
  return (character.size() == 1 && absl::ascii_isspace(static_cast<unsigned char>(character[0]))) ||
         character == kIdeographicSpace;
}

// Characters of text already known to be valid UTF-8 (normalized text, or a token of it).
std::vector<std::string> CharactersOf(absl::string_view text) {
  absl::StatusOr<std::vector<std::string>> characters = Utf8Characters(text, "");
  return characters.ok() ? *std::move(characters) : std::vector<std::string>{};
}

}  // namespace

absl::StatusOr<std::vector<std::string>> Utf8Characters(absl::string_view text, absl::string_view field) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t length = CharacterLength(static_cast<unsigned char>(text[i]));
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (!valid) return InvalidArgument(field, "INVALID_UTF8", "text must be valid UTF-8");
    out.emplace_back(text.substr(i, length));
    i += length;
  }
  return out;
}

std::string NormalizeSearchText(absl::string_view text) {
  std::string out;
  bool pending_space = false;
  for (const std::string& character : CharactersOf(text)) {
    if (IsSpace(character)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out += absl::AsciiStrToLower(character);
  }
  return out;
}

std::vector<std::string> SearchTokens(absl::string_view normalized) {
  std::vector<std::string> tokens;
  std::set<std::string> seen;
  size_t start = 0;
  while (start <= normalized.size()) {
    size_t end = normalized.find(' ', start);
    if (end == absl::string_view::npos) end = normalized.size();
    std::string token(normalized.substr(start, end - start));
    if (!token.empty() && seen.insert(token).second) tokens.push_back(token);
    start = end + 1;
  }
  return tokens;
}

std::vector<std::string> IndexGrams(absl::string_view normalized) {
  std::set<std::string> grams;
  for (const std::string& token : SearchTokens(normalized)) {
    std::vector<std::string> characters = CharactersOf(token);
    for (size_t i = 0; i < characters.size(); ++i) {
      grams.insert(characters[i]);
      if (i + 1 < characters.size()) grams.insert(characters[i] + characters[i + 1]);
    }
  }
  return {grams.begin(), grams.end()};
}

std::vector<std::string> TermGrams(absl::string_view term) {
  std::vector<std::string> characters = CharactersOf(term);
  if (characters.size() == 1) return characters;
  std::set<std::string> grams;
  for (size_t i = 0; i + 1 < characters.size(); ++i) grams.insert(characters[i] + characters[i + 1]);
  return {grams.begin(), grams.end()};
}

}  // namespace zhongtai::product
