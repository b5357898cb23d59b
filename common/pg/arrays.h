// Lists as one statement parameter (PostgreSQL array literals to bind as $n::text[] or $n::bigint[]), and array
// columns read back.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace zhongtai::pg {

// {"a","b"}: every element quoted, '"' and '\' escaped.
std::string TextArrayLiteral(const std::vector<std::string>& values);
// {1,2,3}
std::string BigintArrayLiteral(const std::vector<int64_t>& values);

// The elements of an array field read as text (a bigint[] one too), NULLs left out.
std::vector<std::string> TextArray(const pqxx::field& field);

}  // namespace zhongtai::pg
