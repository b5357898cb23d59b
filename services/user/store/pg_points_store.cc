#include "services/user/store/pg_points_store.h"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/user/store/pg_membership_store.h"  // kUserEventStream
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

// The account row, created empty on first use. Concurrent first uses wait on the primary key and do nothing.
constexpr char kEnsureAccountSql[] =
    "INSERT INTO points_accounts (user_id, balance, updated_at) VALUES ($1, 0, now()) "
    "ON CONFLICT (user_id) DO NOTHING";

// The account lock: every change of an account's points runs after this, one at a time.
constexpr char kLockAccountSql[] = "SELECT balance FROM points_accounts WHERE user_id = $1 FOR UPDATE";

constexpr char kBalanceSql[] = "SELECT balance FROM points_accounts WHERE user_id = $1";

// Lots with points left, plus the lots that order $2 took from (a release or a return refills them). Two branches, not
// one filter with OR: each reads through its own index (the live lots' partial index, the primary key), where the OR
// read every lot of every user (a sequential scan growing with the table: 21.7 ms where this takes 0.6 ms, at 200,000
// lots of 2,000 users). The order's lots as `lot_id = ANY (ARRAY(...))`, not `IN (SELECT ...)`: as a join the
// prepared statement's generic plan merge-joined (or hash-joined) the order's takes with every lot.
constexpr char kLoadLotsSql[] =
    "SELECT lot_id, user_id, original, remaining, zt_micros(earned_at), zt_micros(expires_at), reference "
    "FROM points_lots WHERE user_id = $1 AND remaining > 0 "
    "UNION "
    "SELECT lot_id, user_id, original, remaining, zt_micros(earned_at), zt_micros(expires_at), reference "
    "FROM points_lots WHERE user_id = $1 AND lot_id = ANY (ARRAY(SELECT lot_id FROM points_hold_takes WHERE order_id = "
    "$2))";

// For an update that spends nothing (PointsScope::lots_to_cover 0): the lots with points left that expired at $3
// (the domain's LotExpired: expires_at <= now; Finish writes them off), and the lots order $2 took from.
#define ZT_EXPIRED_AND_HELD_LOTS                                                                                       \
  "SELECT 0, lot_id, user_id, original, remaining, zt_micros(earned_at), zt_micros(expires_at), reference "            \
  "FROM points_lots WHERE user_id = $1 AND remaining > 0 AND expires_at <= zt_ts($3) "                                 \
  "UNION ALL "                                                                                                         \
  "SELECT 0, lot_id, user_id, original, remaining, zt_micros(earned_at), zt_micros(expires_at), reference "            \
  "FROM points_lots WHERE user_id = $1 AND lot_id = ANY (ARRAY(SELECT lot_id FROM points_hold_takes WHERE order_id = " \
  "$2))"
constexpr char kLoadExpiredLotsSql[] = ZT_EXPIRED_AND_HELD_LOTS;
// For one that spends: the same, and (marked 1) the first kFirstLots live lots in spending order (the domain's
// SpendsBefore: expires_at, then lot_id). A lot may come twice (a live lot the hold took from); the reader keeps one.
// Every branch reads through the live lots' partial index or a primary key; the limit is a constant so that the
// prepared statement keeps one generic plan.
constexpr char kLoadFirstLotsSql[] = ZT_EXPIRED_AND_HELD_LOTS
    " UNION ALL "
    "(SELECT 1, lot_id, user_id, original, remaining, zt_micros(earned_at), zt_micros(expires_at), reference "
    "FROM points_lots WHERE user_id = $1 AND remaining > 0 AND expires_at > zt_ts($3) "
    "ORDER BY expires_at, lot_id LIMIT 8)";
#undef ZT_EXPIRED_AND_HELD_LOTS
// The LIMIT above: when these do not cover the points, every lot is read.
constexpr int64_t kFirstLots = 8;

// The hold with its takes (one row per take; one row with NULL take columns when it has none).
constexpr char kLoadHoldSql[] =
    "SELECT h.order_id, h.user_id, h.points, h.returned, h.status, zt_micros(h.created_at), zt_micros(h.updated_at), "
    "zt_micros(h.expires_at), t.lot_id, t.points, t.returned "
    "FROM points_holds h LEFT JOIN points_hold_takes t ON t.order_id = h.order_id WHERE h.order_id = $1 "
    "ORDER BY t.lot_id";

// Whether an earn / return / reversal with this reference happened (points_ledger_once). The kind list repeats the
// partial index's predicate so that the prepared statement's generic plan can use it (else it is planned per call).
constexpr char kReferenceUsedSql[] =
    "SELECT 1 FROM points_ledger WHERE user_id = $1 AND kind = $2 AND reference = $3 "
    "AND kind IN ('earn', 'return', 'reverse') LIMIT 1";

constexpr char kInsertLotSql[] =
    "INSERT INTO points_lots (user_id, original, remaining, earned_at, expires_at, reference) "
    "VALUES ($1, $2, $2, zt_ts($3), zt_ts($4), $5)";

constexpr char kSetLotRemainingSql[] = "UPDATE points_lots SET remaining = $3 WHERE lot_id = $1 AND user_id = $2";

constexpr char kInsertEntrySql[] =
    "INSERT INTO points_ledger (user_id, kind, delta, balance_after, reason, reference, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, zt_ts($7)) RETURNING seq";

// Inserts the hold, or updates it when it is this account's; a hold of the same order id that another
// account inserted concurrently updates nothing (and the change is refused).
constexpr char kUpsertHoldSql[] =
    "INSERT INTO points_holds AS h (order_id, user_id, points, returned, status, created_at, updated_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, zt_ts($6), zt_ts($7), zt_ts($8)) "
    "ON CONFLICT (order_id) DO UPDATE SET returned = EXCLUDED.returned, status = EXCLUDED.status, "
    "updated_at = EXCLUDED.updated_at WHERE h.user_id = EXCLUDED.user_id";

constexpr char kUpsertTakeSql[] =
    "INSERT INTO points_hold_takes (order_id, lot_id, points, returned) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (order_id, lot_id) DO UPDATE SET returned = EXCLUDED.returned";

constexpr char kSetBalanceSql[] = "UPDATE points_accounts SET balance = $2, updated_at = now() WHERE user_id = $1";

// Accounts with work for the sweep at $1: a lot expired with points left (the domain's LotExpired:
// expires_at <= now), or a hold still held past its expiry.
constexpr char kAccountsDueSql[] =
    "SELECT user_id FROM points_lots WHERE remaining > 0 AND expires_at <= zt_ts($1) "
    "UNION SELECT user_id FROM points_holds WHERE status = 'held' AND expires_at <= zt_ts($1) "
    "LIMIT $2";

constexpr char kOverdueHoldsSql[] =
    "SELECT order_id FROM points_holds WHERE user_id = $1 AND status = 'held' AND expires_at <= zt_ts($2) "
    "ORDER BY expires_at";

// One page of the ledger, newest first, keyed by seq; one row more than asked tells whether a next page exists.
constexpr char kLedgerPageSql[] =
    "SELECT seq, kind, delta, balance_after, reason, reference, zt_micros(created_at) FROM points_ledger "
    "WHERE user_id = $1 AND ($2::bigint = 0 OR seq < $2::bigint) ORDER BY seq DESC LIMIT $3";

// The lot in the row's columns from `first` on.
PointsLot ReadLot(const pqxx::row& row, int first = 0) {
  PointsLot lot;
  lot.lot_id = row[first].as<int64_t>();
  lot.user_id = row[first + 1].as<std::string>();
  lot.original = row[first + 2].as<int64_t>();
  lot.remaining = row[first + 3].as<int64_t>();
  lot.earned_at = TimeFromMicros(row[first + 4]);
  lot.expires_at = TimeFromMicros(row[first + 5]);
  lot.reference = row[first + 6].as<std::string>();
  return lot;
}

HoldStatus ParseHoldStatus(const std::string& text) {
  if (text == "committed") return HoldStatus::kCommitted;
  if (text == "released") return HoldStatus::kReleased;
  return HoldStatus::kHeld;
}

std::optional<PointsHold> ReadHold(pqxx::transaction_base& tx, const std::string& order_id) {
  pqxx::result rows = pg::Exec(tx, kLoadHoldSql, order_id);
  if (rows.empty()) return std::nullopt;
  PointsHold hold;
  hold.order_id = rows[0][0].as<std::string>();
  hold.user_id = rows[0][1].as<std::string>();
  hold.points = rows[0][2].as<int64_t>();
  hold.returned = rows[0][3].as<int64_t>();
  hold.status = ParseHoldStatus(rows[0][4].as<std::string>());
  hold.created_at = TimeFromMicros(rows[0][5]);
  hold.updated_at = TimeFromMicros(rows[0][6]);
  hold.expires_at = TimeFromMicros(rows[0][7]);
  for (const pqxx::row& take : rows) {
    if (take[8].is_null()) continue;  // a hold without takes
    hold.takes.push_back({take[8].as<int64_t>(), take[9].as<int64_t>(), take[10].as<int64_t>()});
  }
  return hold;
}

PointsAccount ReadAccount(pqxx::transaction_base& tx, const std::string& user_id, int64_t balance,
                          const std::string& order_id) {
  PointsAccount account;
  account.user_id = user_id;
  account.balance = balance;
  for (const pqxx::row& row : pg::Exec(tx, kLoadLotsSql, user_id, order_id)) account.lots.push_back(ReadLot(row));
  return account;
}

// The lots scope.lots_to_cover asks for (kLoadFirstLotsSql), or every lot when the first ones do not cover it.
PointsAccount ReadAccountFor(pqxx::transaction_base& tx, const PointsScope& scope, int64_t balance) {
  if (scope.lots_to_cover == kAllLots) return ReadAccount(tx, scope.user_id, balance, scope.order_id);
  PointsAccount account;
  account.user_id = scope.user_id;
  account.balance = balance;
  std::vector<PointsLot> first;
  std::set<int64_t> seen;
  const bool spends = scope.lots_to_cover > 0;
  for (const pqxx::row& row : pg::Exec(tx, spends ? kLoadFirstLotsSql : kLoadExpiredLotsSql, scope.user_id,
                                       scope.order_id, Micros(scope.now))) {
    PointsLot lot = ReadLot(row, 1);
    if (row[0].as<int>() == 1) first.push_back(lot);
    if (seen.insert(lot.lot_id).second) account.lots.push_back(std::move(lot));
  }
  if (spends && static_cast<int64_t>(first.size()) == kFirstLots && !CoverPoints(first, scope.lots_to_cover)) {
    return ReadAccount(tx, scope.user_id, balance, scope.order_id);
  }
  return account;
}

v1::PointsLedgerKind ToProtoKind(LedgerKind kind) {
  switch (kind) {
    case LedgerKind::kEarn: return v1::POINTS_LEDGER_KIND_EARN;
    case LedgerKind::kRedeem: return v1::POINTS_LEDGER_KIND_REDEEM;
    case LedgerKind::kRelease: return v1::POINTS_LEDGER_KIND_RELEASE;
    case LedgerKind::kReturn: return v1::POINTS_LEDGER_KIND_RETURN;
    case LedgerKind::kReverse: return v1::POINTS_LEDGER_KIND_REVERSE;
    case LedgerKind::kExpire: return v1::POINTS_LEDGER_KIND_EXPIRE;
  }
  return v1::POINTS_LEDGER_KIND_UNSPECIFIED;
}

// One PointsChanged per ledger entry, in the transaction that wrote it; the id names the entry, so a retried
// transaction writes the same one.
absl::Status PublishEntry(pqxx::work& tx, const std::string& user_id, const LedgerEntry& entry, int64_t seq) {
  v1::PointsChanged message;
  message.set_user_id(user_id);
  message.set_kind(ToProtoKind(entry.kind));
  message.set_delta(entry.delta);
  message.set_balance_after(entry.balance_after);
  message.set_reason(entry.reason);
  message.set_reference(entry.reference);
  message.set_ledger_seq(seq);
  *message.mutable_occur_time() = proto::ToTimestamp(entry.at);
  events::Event event;
  event.id = absl::StrCat("points:", seq);
  event.type = message.GetDescriptor()->full_name();
  event.key = user_id;
  event.payload = message.SerializeAsString();
  event.occurred_at = entry.at;
  return events::AppendToOutbox(tx, kUserEventStream, event);
}

absl::Status Apply(pqxx::work& tx, const std::string& user_id, int64_t balance_before, const PointsChange& change) {
  int64_t balance = balance_before;
  for (const LedgerEntry& entry : change.entries) balance += entry.delta;
  if (balance != change.balance_after || balance < 0) {
    return Internal("POINTS_LEDGER_MISMATCH", "a points change does not add up; nothing was written");
  }
  for (const PointsLot& lot : change.new_lots) {
    pg::Exec(tx, kInsertLotSql, user_id, lot.original, Micros(lot.earned_at), Micros(lot.expires_at), lot.reference);
  }
  for (const auto& [lot_id, remaining] : change.lot_remaining) {
    pg::Exec(tx, kSetLotRemainingSql, lot_id, user_id, remaining);
  }
  for (const LedgerEntry& entry : change.entries) {
    const int64_t seq = pg::Exec(tx, kInsertEntrySql, user_id, LedgerKindName(entry.kind), entry.delta,
                                 entry.balance_after, entry.reason, entry.reference, Micros(entry.at))[0][0]
                            .as<int64_t>();
    RETURN_IF_ERROR(PublishEntry(tx, user_id, entry, seq));
  }
  if (change.hold) {
    const PointsHold& hold = *change.hold;
    if (hold.user_id != user_id) return Internal("POINTS_LEDGER_MISMATCH", "a hold of another account");
    pqxx::result upserted = pg::Exec(tx, kUpsertHoldSql, hold.order_id, hold.user_id, hold.points, hold.returned,
                                     HoldStatusName(hold.status), Micros(hold.created_at), Micros(hold.updated_at),
                                     Micros(hold.expires_at));
    if (upserted.affected_rows() == 0) {
      return AlreadyExists("POINTS_HOLD_CONFLICT", "this order already holds points of another account");
    }
    for (const LotTake& take : hold.takes) {
      pg::Exec(tx, kUpsertTakeSql, hold.order_id, take.lot_id, take.points, take.returned);
    }
  }
  pg::Exec(tx, kSetBalanceSql, user_id, balance);
  return absl::OkStatus();
}

}  // namespace

absl::Status PgPointsStore::Update(const PointsScope& scope, const PointsDecision& decide) {
  if (scope.user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result locked = pg::Exec(tx, kLockAccountSql, scope.user_id);
    if (locked.empty()) {  // the account's first change
      pg::Exec(tx, kEnsureAccountSql, scope.user_id);
      locked = pg::Exec(tx, kLockAccountSql, scope.user_id);
    }
    const int64_t balance = locked[0][0].as<int64_t>();
    PointsSnapshot snapshot;
    snapshot.account = ReadAccountFor(tx, scope, balance);
    if (!scope.order_id.empty()) snapshot.hold = ReadHold(tx, scope.order_id);
    if (!scope.reference.empty()) {
      snapshot.reference_used =
          !pg::Exec(tx, kReferenceUsedSql, scope.user_id, LedgerKindName(scope.reference_kind), scope.reference)
               .empty();
    }
    ASSIGN_OR_RETURN(PointsChange change, decide(snapshot));
    if (change.empty()) return absl::OkStatus();
    return Apply(tx, scope.user_id, balance, change);
  });
}

absl::StatusOr<PointsAccount> PgPointsStore::Load(const PointsScope& scope) {
  PointsAccount account;
  PointsScope lots = scope;
  lots.order_id.clear();
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    pqxx::result rows = pg::Exec(tx, kBalanceSql, scope.user_id);
    account = ReadAccountFor(tx, lots, rows.empty() ? 0 : rows[0][0].as<int64_t>());
    return absl::OkStatus();
  }));
  return account;
}

absl::StatusOr<PointsHold> PgPointsStore::FindHold(const std::string& order_id) {
  std::optional<PointsHold> hold;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    hold = ReadHold(tx, order_id);
    return absl::OkStatus();
  }));
  if (!hold) return NotFound("POINTS_HOLD_NOT_FOUND", "this order holds no points");
  return std::move(*hold);
}

absl::StatusOr<std::vector<std::string>> PgPointsStore::AccountsDue(absl::Time now, int limit) {
  std::vector<std::string> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : pg::Exec(tx, kAccountsDueSql, Micros(now), limit)) {
      out.push_back(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<std::string>> PgPointsStore::OverdueHolds(const std::string& user_id, absl::Time now) {
  std::vector<std::string> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : pg::Exec(tx, kOverdueHoldsSql, user_id, Micros(now))) {
      out.push_back(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<LedgerPage> PgPointsStore::ListLedger(const std::string& user_id, int64_t before_seq, int limit) {
  LedgerPage page;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    page = LedgerPage{};
    pqxx::result rows = pg::Exec(tx, kLedgerPageSql, user_id, before_seq, limit + 1);
    for (const pqxx::row& row : rows) {
      if (static_cast<int>(page.entries.size()) == limit) {
        page.next_before_seq = page.entries.back().seq;
        break;
      }
      LedgerEntry entry;
      entry.seq = row[0].as<int64_t>();
      entry.user_id = user_id;
      ParseLedgerKind(row[1].as<std::string>(), &entry.kind);
      entry.delta = row[2].as<int64_t>();
      entry.balance_after = row[3].as<int64_t>();
      entry.reason = row[4].as<std::string>();
      entry.reference = row[5].as<std::string>();
      entry.at = TimeFromMicros(row[6]);
      page.entries.push_back(std::move(entry));
    }
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace zhongtai::user
