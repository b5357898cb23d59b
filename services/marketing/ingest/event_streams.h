// The other centers' event streams that marketing follows (each with its own consumer groups).
#pragma once

namespace zhongtai::marketing {

inline constexpr char kOrderEventStream[] = "zt.events.order";

}  // namespace zhongtai::marketing
