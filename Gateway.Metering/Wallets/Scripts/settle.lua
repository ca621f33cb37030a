-- Settlement, in one step (issues #3, #4): the hold is released, the actual cost debited, the token windows moved
-- from the reservation to the actual count, and the event appended to the tenant's stream — no charge without an
-- event, no event without a charge.
-- KEYS: 1 wallet, 2 holds, 3 hold expiry, 4 tpm, 5 tpd, 6 tpmo, 7 stream
-- ARGV: 1 hold id, 2 cost micros, 3 tokens actual minus reserved, 4 event JSON
-- Returns {balance, held}.
local wallet = KEYS[1]
local amount = redis.call('HGET', KEYS[2], ARGV[1])
if amount then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HINCRBY', wallet, 'held', -tonumber(amount))
end
local cost = tonumber(ARGV[2])
if cost ~= 0 then redis.call('HINCRBY', wallet, 'balance', -cost) end
local delta = tonumber(ARGV[3])
if delta ~= 0 then
  for i = 4, 6 do
    -- A window that has already closed is not reopened.
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], delta) end
  end
end
redis.call('XADD', KEYS[7], '*', 'e', ARGV[4])
local f = redis.call('HMGET', wallet, 'balance', 'held')
return {tonumber(f[1]) or 0, tonumber(f[2]) or 0}
