-- One ~1 KB non-streamed chat completion, as wrk's request for every call.
-- BENCH_HEADERS adds headers: "Name: value|Name: value" (the Portkey arm names its provider and host this way).
local content = string.rep("The quick brown fox jumps over the lazy dog. ", 20)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "none")
for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "", "([^:|]+):%s*([^|]*)") do
  wrk.headers[name] = value
end
wrk.body = '{"model":"sim-1","max_tokens":16,"messages":[{"role":"user","content":"' .. content .. '"}]}'

function done(summary, latency, requests)
  io.write(string.format("RESULT p50_us=%d p99_us=%d rps=%.1f requests=%d errors=%d\n",
    latency:percentile(50), latency:percentile(99), summary.requests / (summary.duration / 1e6), summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  -- The shape of the tail, for reading by eye (the scripts parse only RESULT).
  io.write(string.format("PERCENTILES_US 50=%d 90=%d 95=%d 98=%d 99=%d 99.5=%d 99.9=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(98),
    latency:percentile(99), latency:percentile(99.5), latency:percentile(99.9), latency.max))
end
