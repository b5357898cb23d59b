#include "common/server/pool_executor.h"

#include <memory>
#include <utility>

#include "common/server/call_scope.h"

namespace zhongtai::server {

void PoolExecutor::Run(std::function<void()> task) {
  auto resumed =
      std::make_shared<std::function<void()>>([scope = CarryCurrentCall(), task = std::move(task)]() mutable {
        ResumedCall call(std::move(scope));
        task();
      });
  // A stopped pool drops what it refuses; the shared copy is still ours to run.
  if (!pool_.Submit([resumed] { (*resumed)(); })) (*resumed)();
}

void PoolExecutor::RunAfter(absl::Duration delay, std::function<void()> task) {
  timer_.RunAfter(delay, [this, scope = CarryCurrentCall(), task = std::move(task)]() mutable {
    ResumedCall call(std::move(scope));
    Run(std::move(task));
  });
}

}  // namespace zhongtai::server
