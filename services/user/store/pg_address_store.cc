#include "services/user/store/pg_address_store.h"

#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

// The default first, then the newest.
constexpr char kListSql[] =
    "SELECT address_id, user_id, recipient_name, recipient_phone, province_code, city_code, district_code, detail, "
    "is_default, request_id, zt_micros(created_at), zt_micros(updated_at) FROM addresses WHERE user_id = $1 "
    "ORDER BY is_default DESC, created_at DESC, address_id";

// The customer's lock: changes of one address book run one at a time (the limit and the one default hold).
constexpr char kLockUserSql[] = "SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE";

// Defaults move first (all cleared, then set), so the one-default index never sees two at once.
constexpr char kClearDefaultSql[] = "UPDATE addresses SET is_default = false WHERE user_id = $1 AND is_default";

constexpr char kUpsertSql[] =
    "INSERT INTO addresses (address_id, user_id, recipient_name, recipient_phone, province_code, city_code, "
    "district_code, detail, is_default, request_id, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, zt_ts($11), zt_ts($12)) "
    "ON CONFLICT (address_id) DO UPDATE SET recipient_name = EXCLUDED.recipient_name, "
    "recipient_phone = EXCLUDED.recipient_phone, province_code = EXCLUDED.province_code, "
    "city_code = EXCLUDED.city_code, district_code = EXCLUDED.district_code, detail = EXCLUDED.detail, "
    "is_default = EXCLUDED.is_default, updated_at = EXCLUDED.updated_at WHERE addresses.user_id = EXCLUDED.user_id";

constexpr char kDeleteSql[] = "DELETE FROM addresses WHERE address_id = $1 AND user_id = $2";

std::vector<Address> ReadBook(pqxx::transaction_base& tx, const std::string& user_id) {
  std::vector<Address> book;
  for (const pqxx::row& row : pg::Exec(tx, kListSql, user_id)) {
    Address a;
    a.address_id = row[0].as<std::string>();
    a.user_id = row[1].as<std::string>();
    a.recipient_name = row[2].as<std::string>();
    a.recipient_phone = row[3].as<std::string>();
    a.province_code = row[4].as<std::string>();
    a.city_code = row[5].as<std::string>();
    a.district_code = row[6].as<std::string>();
    a.detail = row[7].as<std::string>();
    a.is_default = row[8].as<bool>();
    a.request_id = row[9].as<std::string>();
    a.created_at = TimeFromMicros(row[10]);
    a.updated_at = TimeFromMicros(row[11]);
    book.push_back(std::move(a));
  }
  return book;
}

}  // namespace

absl::StatusOr<std::vector<Address>> PgAddressStore::List(const std::string& user_id) {
  std::vector<Address> book;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    book = ReadBook(tx, user_id);
    return absl::OkStatus();
  }));
  return book;
}

absl::Status PgAddressStore::Update(const std::string& user_id, const AddressDecision& decide) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (pg::Exec(tx, kLockUserSql, user_id).empty()) return NotFound("USER_NOT_FOUND", "no such user");
    ASSIGN_OR_RETURN(AddressChange change, decide(ReadBook(tx, user_id)));
    for (const std::string& id : change.deletes) pg::Exec(tx, kDeleteSql, id, user_id);
    bool default_moves = false;
    for (const Address& a : change.upserts) default_moves |= a.is_default;
    if (default_moves) pg::Exec(tx, kClearDefaultSql, user_id);
    // Non-defaults first, so a default set back on an existing row never meets another.
    for (bool pass_default : {false, true}) {
      for (const Address& a : change.upserts) {
        if (a.is_default != pass_default) continue;
        if (a.user_id != user_id) return Internal("ADDRESS_OWNER_MISMATCH", "an address of another customer");
        pg::Exec(tx, kUpsertSql, a.address_id, user_id, a.recipient_name, a.recipient_phone, a.province_code,
                 a.city_code, a.district_code, a.detail, a.is_default, a.request_id, Micros(a.created_at),
                 Micros(a.updated_at));
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::user
