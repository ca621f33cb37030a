-- Creates a tenant's wallet from the ledger when Redis has none (first use, or Redis lost it); a wallet that exists
-- is left alone. The ledger credits it includes are marked applied, so credit.lua never adds them twice.
-- KEYS: 1 wallet, 2 applied credits
-- ARGV: 1 balance micros, 2 status, 3 rpm, 4 tpm, 5 tpd, 6 tpmo (-1 = unlimited), 7.. credit ids included
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'held', 0, 'status', ARGV[2],
  'rpm', ARGV[3], 'tpm', ARGV[4], 'tpd', ARGV[5], 'tpmo', ARGV[6])
redis.call('DEL', KEYS[2])
for i = 7, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
return 1
