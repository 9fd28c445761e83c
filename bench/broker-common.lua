-- Shared by the broker benchmarks: counting of answers by outcome, and a summary line
-- with throughput and p50/p99 latency (same format as the panel benchmark).
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  ok, failed = 0, 0
  counter = 0
end

function response(status, headers, body)
  if status == 200 and (check == nil or body:find(check, 1, true)) then
    ok = ok + 1
  else
    failed = failed + 1
    if failed <= 3 then io.stderr:write("unexpected answer " .. status .. ": " .. (body or "") .. "\n") end
  end
end

function done(summary, latency, requests)
  local good, bad = 0, 0
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    bad = bad + t:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %s rps=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d failed=%d errors=%d\n",
    label, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    good, bad, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
