// Lists as one statement parameter: PostgreSQL array literals to bind as $n::text[] or $n::bigint[].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zhongtai::pg {

// {"a","b"}: every element quoted, '"' and '\' escaped.
std::string TextArrayLiteral(const std::vector<std::string>& values);
// {1,2,3}
std::string BigintArrayLiteral(const std::vector<int64_t>& values);

}  // namespace zhongtai::pg
