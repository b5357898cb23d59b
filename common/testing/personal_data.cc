#include "common/testing/personal_data.h"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

namespace zhongtai::testing {

std::vector<std::string> RowsContaining(pg::Pool& pool, const std::string& needle) {
  std::vector<std::string> found;
  absl::Status searched = pool.Transact([&](pqxx::work& tx) {
    found.clear();
    pqxx::result tables = tx.exec(
        "SELECT quote_ident(table_name) FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    for (const pqxx::row& table : tables) {
      const std::string name = table[0].as<std::string>();
      // Binary columns (event payloads) are searched too: bytea prints as hex, so the needle goes in as hex as well.
      pqxx::result rows = tx.exec_params(
          "SELECT row_to_json(t)::text FROM " + name +
              " t WHERE strpos(row_to_json(t)::text, $1) > 0 OR strpos(row_to_json(t)::text, encode(convert_to($1, "
              "'UTF8'), 'hex')) > 0",
          needle);
      for (const pqxx::row& row : rows) found.push_back(name + ": " + row[0].as<std::string>());
    }
    return absl::OkStatus();
  });
  REQUIRE(searched.ok());
  return found;
}

}  // namespace zhongtai::testing
