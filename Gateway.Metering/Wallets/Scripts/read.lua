-- Reads a wallet after releasing expired holds. KEYS: 1 wallet, 2 holds, 3 hold expiry. ARGV: 1 now ms.
-- Returns {} when there is no wallet, else {balance, held, expired_holds}.
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[1]))
for _, id in ipairs(expired) do
  local amount = redis.call('HGET', KEYS[2], id)
  if amount then
    redis.call('HDEL', KEYS[2], id)
    redis.call('HINCRBY', KEYS[1], 'held', -tonumber(amount))
    redis.call('HINCRBY', KEYS[1], 'expired_holds', 1)
  end
  redis.call('ZREM', KEYS[3], id)
end
local f = redis.call('HMGET', KEYS[1], 'balance', 'held', 'expired_holds')
return {tonumber(f[1]) or 0, tonumber(f[2]) or 0, tonumber(f[3]) or 0}
