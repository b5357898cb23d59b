// The flash sale's Redis state and the Lua scripts over it, as named constants. The admission script is
// DecideAdmission (domain/flash_sale_rules.h) in Lua; a store test runs both on the same cases.
//
// Keys of one sale, all with the hash tag {<sale id>} (KeysFor in redis_flash_admission.h):
//   meta       hash   start_us, end_us (Unix microseconds), limit (per user), quantity (the sale's, since resizes)
//   remaining  string units left to win
//   users      hash   user id -> units held (admitted, not released)
//   requests   hash   "<user id>|<request id>" -> purchase id: a retry of a request returns its first purchase
//   buyers     hash   purchase id -> user id (the buyer's poll before the purchase is recorded in PostgreSQL)
//   released   set    purchase ids whose unit went back (a release happens once)
#pragma once

namespace zhongtai::marketing::flash_lua {

// KEYS: meta, remaining, users, requests, buyers, winners' stream.
// ARGV: now_us, user id, request id, new purchase id, sale id, event type, payload, occurred_at (RFC 3339).
// Returns {outcome} or {outcome, purchase id} with outcome an AdmissionOutcomeName. When admitted: remaining - 1,
// the user's count + 1, the request and the buyer remembered, and the winner XADDed to the stream with the fields
// of common/events (id, type, key, payload, occurred_at), so that its consumers apply it once.
inline constexpr char kAdmit[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_LOADED'} end
local request = ARGV[2] .. '|' .. ARGV[3]
local first = redis.call('HGET', KEYS[4], request)
if first then return {'REPLAY', first} end
local meta = redis.call('HMGET', KEYS[1], 'start_us', 'end_us', 'limit')
local now = tonumber(ARGV[1])
if now < tonumber(meta[1]) then return {'NOT_STARTED'} end
if now >= tonumber(meta[2]) then return {'ENDED'} end
local held = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if held >= tonumber(meta[3]) then return {'LIMIT_REACHED'} end
local remaining = tonumber(redis.call('GET', KEYS[2]) or '0')
if remaining <= 0 then return {'SOLD_OUT'} end
redis.call('DECR', KEYS[2])
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
redis.call('HSET', KEYS[4], request, ARGV[4])
redis.call('HSET', KEYS[5], ARGV[4], ARGV[2])
redis.call('XADD', KEYS[6], '*', 'id', ARGV[4], 'type', ARGV[6], 'key', ARGV[5], 'payload', ARGV[7],
           'occurred_at', ARGV[8])
return {'ADMITTED', ARGV[4]}
)lua";

// Seeds a sale rebuilt from PostgreSQL unless it is there. KEYS: meta, remaining, users, requests, buyers, released.
// ARGV: start_us, end_us, limit, quantity, expire_at_ms, then four per purchase: purchase id, user id, request id,
// released (1) or holding its unit (0). remaining = quantity - purchases holding a unit. Returns 1 when written.
inline constexpr char kLoad[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
local remaining = tonumber(ARGV[4])
for i = 6, #ARGV, 4 do
  local purchase, user, request, released = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  redis.call('HSET', KEYS[4], user .. '|' .. request, purchase)
  redis.call('HSET', KEYS[5], purchase, user)
  if released == '1' then
    redis.call('SADD', KEYS[6], purchase)
  else
    remaining = remaining - 1
    redis.call('HINCRBY', KEYS[3], user, 1)
  end
end
redis.call('SET', KEYS[2], remaining)
redis.call('HSET', KEYS[1], 'start_us', ARGV[1], 'end_us', ARGV[2], 'limit', ARGV[3], 'quantity', ARGV[4])
for i = 1, 6 do redis.call('PEXPIREAT', KEYS[i], ARGV[5]) end
return 1
)lua";

// An admin's change of a sale, atomic with admissions. KEYS: meta, remaining, users, requests, buyers, released.
// ARGV: the quantity before, the quantity after, start_us, end_us, limit, expire_at_ms (the keys' new expiry). The
// quantity before is the one in meta when it is there (a sale loaded before meta had it: ARGV[1]). Units taken =
// quantity before - remaining; remaining becomes quantity after - taken, refused when negative. Returns {'APPLIED',
// taken}, {'BELOW_TAKEN', taken} or {'NOT_LOADED'}.
inline constexpr char kResize[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_LOADED'} end
local before = tonumber(redis.call('HGET', KEYS[1], 'quantity') or ARGV[1])
local remaining = tonumber(redis.call('GET', KEYS[2]) or '0')
local taken = before - remaining
local after = tonumber(ARGV[2])
if after < taken then return {'BELOW_TAKEN', tostring(taken)} end
redis.call('SET', KEYS[2], after - taken)
redis.call('HSET', KEYS[1], 'start_us', ARGV[3], 'end_us', ARGV[4], 'limit', ARGV[5], 'quantity', ARGV[2])
for i = 1, 6 do
  if i <= 2 or redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIREAT', KEYS[i], ARGV[6]) end
end
return {'APPLIED', tostring(taken)}
)lua";

// Gives a purchase's unit back, once. KEYS: meta, remaining, users, released. ARGV: purchase id, user id.
// Returns 1 when given back, 0 when it already was or the sale is not in Redis (a later load counts it released).
inline constexpr char kRelease[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('SADD', KEYS[4], ARGV[1]) == 0 then return 0 end
redis.call('INCR', KEYS[2])
if redis.call('HINCRBY', KEYS[3], ARGV[2], -1) <= 0 then redis.call('HDEL', KEYS[3], ARGV[2]) end
return 1
)lua";

}  // namespace zhongtai::marketing::flash_lua
