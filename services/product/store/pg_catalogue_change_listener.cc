#include "services/product/store/pg_catalogue_change_listener.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/time/clock.h"
#include "common/log/log.h"

namespace zhongtai::product {
namespace {

constexpr absl::Duration kReconnectDelay = absl::Milliseconds(500);

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& conn, std::function<void(const std::string&)> changed)
      : pqxx::notification_receiver(conn, kCatalogueChannel), changed_(std::move(changed)) {}
  void operator()(const std::string& payload, int) override { changed_(payload); }

 private:
  std::function<void(const std::string&)> changed_;
};

}  // namespace

PgCatalogueChangeListener::PgCatalogueChangeListener(std::string dsn, Handlers handlers, absl::Duration heartbeat)
    : dsn_(std::move(dsn)), handlers_(std::move(handlers)), heartbeat_(heartbeat) {}

PgCatalogueChangeListener::~PgCatalogueChangeListener() { Stop(); }

void PgCatalogueChangeListener::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void PgCatalogueChangeListener::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void PgCatalogueChangeListener::Run() {
  while (!stop_) {
    try {
      ListenOnce();
    } catch (const std::exception& e) {
      log::Warn("catalogue change listener lost its connection", {{"error", e.what()}});
    }
    handlers_.live(false);
    for (absl::Duration waited; !stop_ && waited < kReconnectDelay; waited += absl::Milliseconds(50)) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
}

void PgCatalogueChangeListener::ListenOnce() {
  pqxx::connection conn(dsn_);
  Receiver receiver(conn, handlers_.changed);
  conn.get_notifs();  // runs the LISTEN now
  // From here on every commit is heard; what was cached before is dropped by going live.
  handlers_.live(true);
  int64_t micros = absl::ToInt64Microseconds(heartbeat_);
  while (!stop_) {
    if (conn.await_notification(micros / 1000000, micros % 1000000) == 0) {
      pqxx::nontransaction(conn).exec("SELECT 1");
    }
  }
}

}  // namespace zhongtai::product
