-- Adds a ledger credit to the live balance exactly once, whichever of this and a rebuild runs first.
-- KEYS: 1 wallet, 2 applied credits. ARGV: 1 credit id, 2 micros.
-- Returns -1 when there is no wallet (rebuild first), else 1 applied now or 0 applied before.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'balance', ARGV[2])
return 1
