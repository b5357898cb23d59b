// For erasure tests: where a database still holds a piece of personal data (a phone, an email, an address), searched
// in every row of every table, so a table added later is searched too.
#pragma once

#include <string>
#include <vector>

#include "common/pg/pool.h"

namespace zhongtai::testing {

// "table: row" for each row of each table in the public schema whose text (the row as JSON) contains `needle`.
std::vector<std::string> RowsContaining(pg::Pool& pool, const std::string& needle);

}  // namespace zhongtai::testing
