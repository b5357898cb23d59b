// What a spreadsheet user opening an export would see: every cell back as written, and no formula run.
#include "common/csv/csv.h"

#include <catch2/catch.hpp>

namespace zhongtai::csv {

TEST_CASE("plain cells are written as they are", "[csv]") {
  CHECK(Cell("u_01") == "u_01");
  CHECK(Cell("") == "");
  CHECK(Cell("张三") == "张三");
  CHECK(Cell("2026-01-02T03:04:05Z") == "2026-01-02T03:04:05Z");
}

TEST_CASE("commas, quotes and line breaks are quoted with quotes doubled", "[csv]") {
  CHECK(Cell("a,b") == "\"a,b\"");
  CHECK(Cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(Cell("line1\nline2") == "\"line1\nline2\"");
  CHECK(Cell("a\r\nb") == "\"a\r\nb\"");
  CHECK(Cell(" padded ") == "\" padded \"");
}

TEST_CASE("cells a spreadsheet would run as a formula stay text", "[csv]") {
  CHECK(Cell("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
  CHECK(Cell("+86 138") == "'+86 138");
  CHECK(Cell("-5") == "'-5");
  CHECK(Cell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(Cell("\tx") == "'\tx");
  CHECK(Cell("=1,2") == "\"'=1,2\"");
  CHECK(Cell("a=b") == "a=b");
}

TEST_CASE("rows end with CRLF and separate cells with commas", "[csv]") {
  Writer writer;
  writer.Row({"user_id", "nickname"});
  writer.Row({"u_1", "O'Brien, \"Bob\""});
  CHECK(writer.str() == "user_id,nickname\r\nu_1,\"O'Brien, \"\"Bob\"\"\"\r\n");
}

}  // namespace zhongtai::csv
