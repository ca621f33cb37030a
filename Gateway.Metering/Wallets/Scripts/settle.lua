-- Settlement, in one step (issues #3, #4): the hold is released, the actual cost debited, the token windows moved
-- from the reservation to the actual count, and the event appended to the tenant's stream — no charge without an
-- event, no event without a charge. A hold already settled as abandoned (its gateway looked dead) is left alone:
-- the abandoned event, with the same event id, is that request's one record.
-- The event's tokens also move the tenant's month of the model on (the tier position of its next request, issue #6).
-- KEYS: 1 wallet, 2 holds, 3 hold events, 4 shard expiry set, 5 abandoned, 6 tpm, 7 tpd, 8 tpmo, 9 stream,
--       10 month tokens per model
-- ARGV: 1 hold id, 2 cost micros, 3 tokens actual minus reserved, 4 event JSON, 5 expiry member, 6 model,
--       7 the event's tokens for tier positions
-- Returns {balance, held, 1} settled, or {balance, held, 0} when the hold had been abandoned.
local wallet = KEYS[1]
if redis.call('ZSCORE', KEYS[5], ARGV[1]) then
  local f = redis.call('HMGET', wallet, 'balance', 'held')
  return {tonumber(f[1]) or 0, tonumber(f[2]) or 0, 0}
end
local amount = redis.call('HGET', KEYS[2], ARGV[1])
if amount then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[4], ARGV[5])
  -- A free request's hold is 0, and Lua writes -0 as "-0", which Redis refuses as an increment.
  if tonumber(amount) ~= 0 then redis.call('HINCRBY', wallet, 'held', -tonumber(amount)) end
end
local cost = tonumber(ARGV[2])
if cost ~= 0 then redis.call('HINCRBY', wallet, 'balance', -cost) end
local delta = tonumber(ARGV[3])
if delta ~= 0 then
  for i = 6, 8 do
    -- A window that has already closed is not reopened.
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], delta) end
  end
end
local tierTokens = tonumber(ARGV[7])
if tierTokens > 0 then
  redis.call('HINCRBY', KEYS[10], ARGV[6], tierTokens)
  redis.call('EXPIRE', KEYS[10], 40 * 86400, 'NX')
end
redis.call('XADD', KEYS[9], '*', 'e', ARGV[4])
local f = redis.call('HMGET', wallet, 'balance', 'held')
return {tonumber(f[1]) or 0, tonumber(f[2]) or 0, 1}
