// Server CPU from /proc: utime+stime of the given processes and all their descendants (PostgreSQL
// backends are children of the postmaster), plus the roots' cutime+cstime so children that exit
// between two samples are still counted.
#pragma once

#include <sys/types.h>

#include <vector>

namespace zhongtai::bench {

// CPU seconds used so far by the trees rooted at `roots`.
double TreeCpuSeconds(const std::vector<pid_t>& roots);

}  // namespace zhongtai::bench
