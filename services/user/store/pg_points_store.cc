#include "services/user/store/pg_points_store.h"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/arrays.h"
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

// A PointsChange of account $1, written by one statement (each list one array per column, element i of each is item
// i): new lots ($3..$6: original, earned, expires, reference); lots' new remaining points ($7 lot ids, $8 remaining);
// ledger entries in order ($9..$14: kind, delta, balance after, reason, reference, at); the hold when $15 (order $16,
// points, returned, status, created, updated, expires: $17..$22), inserted, or updated when it is this account's (a
// hold of the same order id that another account inserted concurrently updates nothing, and the change is refused);
// its takes ($23..$25: lot id, points, returned); the balance $2. Returns whether the hold was written and the new
// entries' seqs in entry order (they are drawn in insertion order, which follows the ORDER BY). The lots are found by
// `lot_id = ANY`, the primary key, not by a join with the list: the prepared statement's generic plan, made while the
// table was small, hash-joined a scan of every lot (0.4 ms a call and growing with the table).
constexpr char kApplyChangeSql[] = R"sql(
WITH new_lots AS (
  INSERT INTO points_lots (user_id, original, remaining, earned_at, expires_at, reference)
  SELECT $1, l.original, l.original, zt_ts(l.earned_at), zt_ts(l.expires_at), l.reference
  FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::text[]) AS l (original, earned_at, expires_at, reference)
),
lots AS (
  UPDATE points_lots p
  SET remaining = (SELECT r.remaining FROM unnest($7::bigint[], $8::bigint[]) AS r (lot_id, remaining)
                   WHERE r.lot_id = p.lot_id)
  WHERE p.lot_id = ANY ($7::bigint[]) AND p.user_id = $1
),
ledger AS (
  INSERT INTO points_ledger (user_id, kind, delta, balance_after, reason, reference, created_at)
  SELECT $1, e.kind, e.delta, e.balance_after, e.reason, e.reference, zt_ts(e.at)
  FROM unnest($9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::bigint[]) WITH ORDINALITY
       AS e (kind, delta, balance_after, reason, reference, at, n)
  ORDER BY e.n
  RETURNING seq
),
hold AS (
  INSERT INTO points_holds AS h (order_id, user_id, points, returned, status, created_at, updated_at, expires_at)
  SELECT $16, $1, $17, $18, $19, zt_ts($20), zt_ts($21), zt_ts($22) WHERE $15::boolean
  ON CONFLICT (order_id) DO UPDATE SET returned = EXCLUDED.returned, status = EXCLUDED.status,
                                       updated_at = EXCLUDED.updated_at
  WHERE h.user_id = EXCLUDED.user_id
  RETURNING 1
),
takes AS (
  INSERT INTO points_hold_takes (order_id, lot_id, points, returned)
  SELECT $16, t.lot_id, t.points, t.returned
  FROM unnest($23::bigint[], $24::bigint[], $25::bigint[]) AS t (lot_id, points, returned)
  ON CONFLICT (order_id, lot_id) DO UPDATE SET returned = EXCLUDED.returned
),
balance AS (
  UPDATE points_accounts SET balance = $2, updated_at = now() WHERE user_id = $1
)
SELECT (SELECT count(*) FROM hold), (SELECT array_agg(seq ORDER BY seq) FROM ledger)
)sql";

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
  std::vector<int64_t> lot_original, lot_earned, lot_expires;
  std::vector<std::string> lot_reference;
  for (const PointsLot& lot : change.new_lots) {
    lot_original.push_back(lot.original);
    lot_earned.push_back(Micros(lot.earned_at));
    lot_expires.push_back(Micros(lot.expires_at));
    lot_reference.push_back(lot.reference);
  }
  std::vector<int64_t> remaining_ids, remaining;
  for (const auto& [lot_id, points] : change.lot_remaining) {
    remaining_ids.push_back(lot_id);
    remaining.push_back(points);
  }
  std::vector<std::string> entry_kind, entry_reason, entry_reference;
  std::vector<int64_t> entry_delta, entry_balance, entry_at;
  for (const LedgerEntry& entry : change.entries) {
    entry_kind.emplace_back(LedgerKindName(entry.kind));
    entry_delta.push_back(entry.delta);
    entry_balance.push_back(entry.balance_after);
    entry_reason.push_back(entry.reason);
    entry_reference.push_back(entry.reference);
    entry_at.push_back(Micros(entry.at));
  }
  PointsHold hold;
  if (change.hold) {
    hold = *change.hold;
    if (hold.user_id != user_id) return Internal("POINTS_LEDGER_MISMATCH", "a hold of another account");
  }
  std::vector<int64_t> take_lot, take_points, take_returned;
  for (const LotTake& take : hold.takes) {
    take_lot.push_back(take.lot_id);
    take_points.push_back(take.points);
    take_returned.push_back(take.returned);
  }
  const pqxx::row applied = pg::Exec(
      tx, kApplyChangeSql, user_id, balance, pg::BigintArrayLiteral(lot_original), pg::BigintArrayLiteral(lot_earned),
      pg::BigintArrayLiteral(lot_expires), pg::TextArrayLiteral(lot_reference), pg::BigintArrayLiteral(remaining_ids),
      pg::BigintArrayLiteral(remaining), pg::TextArrayLiteral(entry_kind), pg::BigintArrayLiteral(entry_delta),
      pg::BigintArrayLiteral(entry_balance), pg::TextArrayLiteral(entry_reason), pg::TextArrayLiteral(entry_reference),
      pg::BigintArrayLiteral(entry_at), change.hold.has_value(), hold.order_id, hold.points, hold.returned,
      std::string(HoldStatusName(hold.status)), Micros(hold.created_at), Micros(hold.updated_at),
      Micros(hold.expires_at), pg::BigintArrayLiteral(take_lot), pg::BigintArrayLiteral(take_points),
      pg::BigintArrayLiteral(take_returned))[0];
  if (change.hold && applied[0].as<int64_t>() == 0) {
    return AlreadyExists("POINTS_HOLD_CONFLICT", "this order already holds points of another account");
  }
  const std::vector<std::string> seqs = pg::TextArray(applied[1]);
  if (seqs.size() != change.entries.size()) {
    return Internal("POINTS_LEDGER_MISMATCH", "the ledger did not take every entry; nothing was written");
  }
  for (size_t i = 0; i < change.entries.size(); ++i) {
    RETURN_IF_ERROR(PublishEntry(tx, user_id, change.entries[i], std::stoll(seqs[i])));
  }
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
