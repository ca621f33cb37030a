-- An expired hold (its gateway died mid-request) is settled as abandoned (issue #4): released, its input estimate
-- debited, and its prepared `abandoned` event appended, in one step, so money held is never lost and never kept.
-- KEYS: 1 wallet, 2 holds, 3 hold events, 4 shard expiry set, 5 abandoned, 6 stream
-- ARGV: 1 hold id, 2 expiry member, 3 now ms
-- Returns 1 abandoned now, 0 nothing to do (settled meanwhile, or not yet expired).
local expiry = redis.call('ZSCORE', KEYS[4], ARGV[2])
if expiry and tonumber(expiry) > tonumber(ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[4], ARGV[2])
local amount = redis.call('HGET', KEYS[2], ARGV[1])
if not amount then return 0 end
local event = redis.call('HGET', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if tonumber(amount) ~= 0 then redis.call('HINCRBY', KEYS[1], 'held', -tonumber(amount)) end -- never "-0"
local cost = 0
if event then
  local ok, e = pcall(cjson.decode, event)
  if ok and type(e) == 'table' then cost = tonumber(e['cost_micros']) or 0 end
  redis.call('XADD', KEYS[6], '*', 'e', event)
end
if cost ~= 0 then redis.call('HINCRBY', KEYS[1], 'balance', -cost) end
redis.call('HINCRBY', KEYS[1], 'expired_holds', 1)
local now = tonumber(ARGV[3])
redis.call('ZADD', KEYS[5], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 86400000)
return 1
