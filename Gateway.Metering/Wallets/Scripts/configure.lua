-- Sets fields of an existing wallet (limits, status); a missing wallet will be rebuilt from Postgres with them.
-- KEYS: 1 wallet. ARGV: field, value, field, value, ...
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
