#include "bench/loadgen/cpu.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace zhongtai::bench {
namespace {

struct Stat {
  pid_t ppid = 0;
  unsigned long long own = 0;       // utime + stime
  unsigned long long children = 0;  // cutime + cstime
};

bool ReadStat(pid_t pid, Stat* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  // The command name may hold spaces and parentheses; fields resume after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 2));
  std::string f[16];
  for (auto& field : f) fields >> field;
  // f[0] is field 3 (state); ppid is field 4, utime..cstime are fields 14..17.
  out->ppid = std::atoi(f[1].c_str());
  out->own = std::stoull(f[11]) + std::stoull(f[12]);
  out->children = std::stoull(f[13]) + std::stoull(f[14]);
  return true;
}

}  // namespace

double TreeCpuSeconds(const std::vector<pid_t>& roots) {
  std::map<pid_t, Stat> all;
  if (DIR* dir = opendir("/proc")) {
    while (dirent* entry = readdir(dir)) {
      pid_t pid = std::atoi(entry->d_name);
      Stat stat;
      if (pid > 0 && ReadStat(pid, &stat)) all[pid] = stat;
    }
    closedir(dir);
  }
  std::set<pid_t> tree(roots.begin(), roots.end());
  bool grew = true;
  while (grew) {
    grew = false;
    for (const auto& [pid, stat] : all) {
      if (!tree.count(pid) && tree.count(stat.ppid)) {
        tree.insert(pid);
        grew = true;
      }
    }
  }
  unsigned long long ticks = 0;
  for (pid_t pid : tree) {
    auto it = all.find(pid);
    if (it == all.end()) continue;
    ticks += it->second.own;
    if (std::find(roots.begin(), roots.end(), pid) != roots.end()) ticks += it->second.children;
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace zhongtai::bench
