-- Reads a wallet. KEYS: 1 wallet. Returns {} when there is no wallet, else {balance, held, expired_holds}.
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local f = redis.call('HMGET', KEYS[1], 'balance', 'held', 'expired_holds')
return {tonumber(f[1]) or 0, tonumber(f[2]) or 0, tonumber(f[3]) or 0}
