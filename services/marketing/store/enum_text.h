// Enums stored as text: a table of the texts in enum order, read back with a fallback for a text the table lacks.
#pragma once

#include <cstddef>
#include <string>

namespace zhongtai::marketing {

template <typename Enum, size_t N>
Enum FromText(const std::string& text, const char* const (&texts)[N], Enum fallback) {
  for (size_t i = 0; i < N; ++i) {
    if (text == texts[i]) return static_cast<Enum>(i);
  }
  return fallback;
}

}  // namespace zhongtai::marketing
