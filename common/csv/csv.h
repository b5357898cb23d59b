// CSV exports (RFC 4180) that are safe to open in a spreadsheet: a cell holding a comma, a quote, a line break or
// leading/trailing spaces is quoted (quotes doubled), and a cell a spreadsheet would run as a formula (starting with
// = + - @, a tab or a carriage return) gets a leading ' so it stays text. Rows end with CRLF.
#pragma once

#include <string>
#include <vector>

namespace zhongtai::csv {

// One cell as it is written: escaped, neutralised, quoted when needed.
std::string Cell(const std::string& value);

// Builds a document row by row.
class Writer {
 public:
  void Row(const std::vector<std::string>& cells);
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace zhongtai::csv
