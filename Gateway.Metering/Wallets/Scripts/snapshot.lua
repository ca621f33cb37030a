-- A consistent view of one tenant for reconciliation: the live balance and holds, and the id and cost of every event
-- of the tenant still in its stream (settled in Redis, maybe not yet in Postgres), read in one atomic step.
-- KEYS: 1 wallet, 2 stream. ARGV: 1 tenant id. Returns {balance, held, id1, cost1, id2, cost2, ...} or {} (no wallet).
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local f = redis.call('HMGET', KEYS[1], 'balance', 'held')
local out = {tonumber(f[1]) or 0, tonumber(f[2]) or 0}
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+')) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'e' then
      local ok, e = pcall(cjson.decode, fields[i + 1])
      if ok and type(e) == 'table' and e['tenant_id'] == ARGV[1] then
        table.insert(out, e['event_id'])
        table.insert(out, tonumber(e['cost_micros']) or 0)
      end
    end
  end
end
return out
