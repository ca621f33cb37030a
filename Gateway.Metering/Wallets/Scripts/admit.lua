-- Admission, in one step (issue #3): backlog, tenant active, request and token windows, day and month budgets, and
-- the available balance covering the hold; then the hold is placed (with the event to record should it expire
-- unsettled, issue #4) and the windows charged. Nothing is read in one call and written in another, so concurrent
-- requests cannot overdraw.
-- KEYS: 1 wallet, 2 holds, 3 hold events, 4 rpm, 5 tpm, 6 tpd, 7 tpmo, 8 the tenant's event stream, 9 shard expiry set,
--       10 the tenant's tokens per model this month (tier positions, issue #6)
-- ARGV: 1 now ms, 2 hold id, 3 hold micros, 4 tokens reserved, 5 hold ttl ms, 6 most events waiting (-1 = no limit),
--       7 expiry member, 8 the abandoned event (JSON), 9 model
-- Returns {0, balance, held, rpm limit, rpm left, tpm limit, tpm left, month tokens of the model} admitted (-1 = unlimited),
-- {1} no wallet, {2} tenant not active, {3, window index 1..4} a window is full, {4, available} balance too low,
-- {5, waiting} too many events not yet in Postgres (refuse rather than risk losing events).
local wallet = KEYS[1]
local backlog = tonumber(ARGV[6])
if backlog >= 0 then
  local waiting = redis.call('XLEN', KEYS[8])
  if waiting >= backlog then return {5, waiting} end
end
if redis.call('EXISTS', wallet) == 0 then return {1} end
if redis.call('HGET', wallet, 'status') ~= 'active' then return {2} end
local now = tonumber(ARGV[1])

local f = redis.call('HMGET', wallet, 'balance', 'held', 'rpm', 'tpm', 'tpd', 'tpmo')
local balance = tonumber(f[1]) or 0
local held = tonumber(f[2]) or 0
local limits = {tonumber(f[3]) or -1, tonumber(f[4]) or -1, tonumber(f[5]) or -1, tonumber(f[6]) or -1}
local reserve = tonumber(ARGV[4])
local amounts = {1, reserve, reserve, reserve}
-- Only windows with a limit are counted: an unlimited tenant costs no counter reads or writes.
local used = {0, 0, 0, 0}
for i = 1, 4 do
  if limits[i] >= 0 then
    used[i] = tonumber(redis.call('GET', KEYS[3 + i]) or '0')
    if used[i] + amounts[i] > limits[i] then return {3, i} end
  end
end

local hold = tonumber(ARGV[3])
if balance - held < hold then return {4, balance - held} end

-- Every admitted request has a hold, even a free one, so a dead gateway's requests are all accounted for.
redis.call('HSET', KEYS[2], ARGV[2], hold)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[8])
redis.call('ZADD', KEYS[9], now + tonumber(ARGV[5]), ARGV[7])
if hold > 0 then held = redis.call('HINCRBY', wallet, 'held', hold) end
local ttl = {120, 120, 2 * 86400, 32 * 86400}
for i = 1, 4 do
  if limits[i] >= 0 and amounts[i] > 0 and redis.call('INCRBY', KEYS[3 + i], amounts[i]) == amounts[i] then
    redis.call('EXPIRE', KEYS[3 + i], ttl[i])
  end
end

local function left(i)
  if limits[i] < 0 then return -1 end
  return limits[i] - used[i] - amounts[i]
end
return {0, balance, held, limits[1], left(1), limits[2], left(2), tonumber(redis.call('HGET', KEYS[10], ARGV[9]) or '0')}
