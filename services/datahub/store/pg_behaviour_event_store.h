// Behaviour events into PostgreSQL (behaviour_events, the hourly rollup, funnel_journeys, sku_products; migrations
// 0003, 0006, 0009 and 0010), one transaction per batch.
//
// A batch is first written the cheap way: COPY straight into behaviour_events (the rows the COPY reference of
// docs/performance.md D1 writes, at its cost), then the batch's rollup rows (appended to behaviour_hourly_pending)
// and SKUs from arrays in one statement.
// A batch that repeats an event already stored (a retry) fails that COPY on the primary key and is written again the
// deduplicating way, in a new transaction: COPY into a session-local staging table, then one statement that keeps
// the rows not stored yet and rolls up only those. Both ways fold the funnel journeys in the same transaction.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/datahub/domain/behaviour_events.h"
#include "services/datahub/store/behaviour_partitions.h"

namespace zhongtai::datahub {

// behaviour_events' rows for `events` in COPY's binary format (header, rows, trailer; columns as kEventColumns in the
// .cc): times as PostgreSQL's microseconds, texts as they are, an empty user, product, SKU or query as NULL. The
// binary form spares PostgreSQL the parsing of text rows (timestamptz_in twice a row was most of it) and this side
// the escaping.
std::string BehaviourCopyData(const std::vector<BehaviourEvent>& events);

// COPYs `data` (BehaviourCopyData) into `table` (behaviour_events or a table with its columns) in `tx`. Throws
// pqxx::unique_violation when a row repeats a key, other libpqxx exceptions as a statement would.
void CopyBehaviourRows(pqxx::work& tx, const std::string& table, const std::string& data);

class PgBehaviourEventStore : public BehaviourEventStore {
 public:
  PgBehaviourEventStore(pg::Pool& pool, BehaviourPartitions& partitions, absl::Duration funnel_window)
      : pool_(pool), partitions_(partitions), funnel_window_(funnel_window) {}

  absl::StatusOr<int> Insert(const std::vector<BehaviourEvent>& events) override;

  // Moves at most max_rows pending rollup rows into behaviour_hourly_folded (behaviour_hourly_fold(), migrations
  // 0009 and 0010); returns how many it moved. The data hub runs it every ZT_DATAHUB_ROLLUP_FOLD_INTERVAL until it
  // moves fewer than max_rows. Readers of the view behaviour_hourly see the same figures before and after.
  absl::StatusOr<int64_t> FoldRollup(int max_rows);

  // VACUUM of the pending rollup rows' table. Every fold deletes what ingestion appended (under load about 10^4 rows
  // a second), and the view behaviour_hourly reads that table whole: until autovacuum comes by (its naptime is a
  // minute) every dashboard read scans the dead rows too (D3 p99 52-76 ms right after a load, 18 ms once vacuumed).
  absl::Status VacuumPending();

  // What the data hub runs every ZT_DATAHUB_ROLLUP_FOLD_INTERVAL: FoldRollup in steps of `step` rows until a step moves
  // fewer, then VacuumPending once the folds since the last vacuum moved `rows_per_vacuum` rows (under a steady load
  // every few seconds, never when idle). Returns the rows moved. From one thread at a time.
  absl::StatusOr<int64_t> FoldPending(int step = 50000, int64_t rows_per_vacuum = 20000);

  // How many batches took each way since start (for tests and the metrics of a benchmark run).
  int64_t direct_batches() const { return direct_batches_.load(); }
  int64_t deduplicated_batches() const { return deduplicated_batches_.load(); }

 private:
  pg::Pool& pool_;
  BehaviourPartitions& partitions_;
  absl::Duration funnel_window_;
  std::atomic<int64_t> direct_batches_{0};
  int64_t moved_since_vacuum_ = 0;  // FoldPending's count
  std::atomic<int64_t> deduplicated_batches_{0};
};

}  // namespace zhongtai::datahub
