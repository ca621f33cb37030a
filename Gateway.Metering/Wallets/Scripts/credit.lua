-- Adds a ledger credit to the live balance exactly once, whichever of this and a rebuild runs first.
-- KEYS: 1 wallet, 2 applied credits. ARGV: 1 credit id, 2 micros.
-- Returns -1 when there is no wallet (rebuild first), 1 applied now, 0 applied before, or -2 when the balance would
-- overflow a 64-bit integer (then nothing is changed: the credit is not marked applied without being added).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
if (tonumber(redis.call('HGET', KEYS[1], 'balance')) or 0) + tonumber(ARGV[2]) >= 9.2e18 then return -2 end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'balance', ARGV[2])
return 1
