#include "common/csv/csv.h"

#include <utility>

namespace zhongtai::csv {
namespace {

// What Excel, LibreOffice and Google Sheets start a formula with (OWASP "CSV injection").
bool LooksLikeFormula(const std::string& value) {
  if (value.empty()) return false;
  switch (value.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r': return true;
    default: return false;
  }
}

bool NeedsQuotes(const std::string& value) {
  if (value.find_first_of(",\"\r\n") != std::string::npos) return true;
  return !value.empty() && (value.front() == ' ' || value.back() == ' ');
}

}  // namespace

std::string Cell(const std::string& value) {
  std::string text = LooksLikeFormula(value) ? "'" + value : value;
  if (!NeedsQuotes(text)) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

void Writer::Row(const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out_.push_back(',');
    out_ += Cell(cells[i]);
  }
  out_ += "\r\n";
}

}  // namespace zhongtai::csv
