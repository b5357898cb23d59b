// Hot statements as prepared statements, named by their text. exec_params sends Parse, Bind and Execute of the
// unnamed statement on every call, so PostgreSQL parses and plans it every time; for the short statements of the
// order path (one-row inserts and updates by key) parsing and planning cost about as much as executing. Exec names
// the statement after a hash of its text: libpqxx (6.x) parses it on a connection's first use and afterwards only
// looks the name up (the pool keeps its connections; a reopened connection starts empty), and PostgreSQL keeps the
// plan (a generic plan after five executions when it is no dearer than the custom ones).
//
// Use it for statements with a constant text (the named constants of store/); a text built per call (a dynamic
// WHERE, a variable number of values) would prepare a new statement every time: keep exec_params for those.
#pragma once

#include <cstdint>
#include <cstdio>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace zhongtai::pg {

// "zt_" and 16 hex digits of the text's FNV-1a hash.
inline std::string PreparedName(std::string_view sql) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : sql) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char name[24];
  std::snprintf(name, sizeof name, "zt_%016llx", static_cast<unsigned long long>(h));
  return name;
}

template <typename Tx, typename... Args>
pqxx::result Exec(Tx& tx, const std::string& sql, Args&&... args) {
  std::string name = PreparedName(sql);
  tx.conn().prepare(name, sql);  // a lookup once the connection knows the name
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

namespace internal {

struct NamedText {
  std::string name;
  std::string text;
};

// The name and a std::string copy of a constant's text, made once per thread instead of on every call (hashing a
// statement of a few KB byte by byte and copying it into a new string showed in perf as malloc, strlen and
// malloc_consolidate). Keyed by the array's address and checked against its text, so an array that is not a constant
// still gets its own text.
template <size_t N>
const NamedText& NamedConstant(const char (&sql)[N]) {
  thread_local std::unordered_map<const char*, NamedText> known;
  const std::string_view text(sql, N - 1);  // a literal's length, without its terminating NUL
  auto it = known.find(sql);
  if (it == known.end() || it->second.text != text) {
    it = known.insert_or_assign(sql, NamedText{PreparedName(text), std::string(text)}).first;
  }
  return it->second;
}

}  // namespace internal

// The same for a named constant of store/ (a char array): its name and text are not made again on every call.
template <typename Tx, size_t N, typename... Args>
pqxx::result Exec(Tx& tx, const char (&sql)[N], Args&&... args) {
  const internal::NamedText& named = internal::NamedConstant(sql);
  tx.conn().prepare(named.name, named.text);
  return tx.exec_prepared(named.name, std::forward<Args>(args)...);
}

}  // namespace zhongtai::pg
