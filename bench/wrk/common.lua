-- Shared by the wrk scripts (loaded with dofile from the repository root).
-- Adds the API token from CRM_TOKEN, seeds each thread differently, and
-- prints one machine-readable line that bench/run.sh parses:
--   BENCH requests=N seconds=S rps=R p50_ms=A p99_ms=B max_ms=C non2xx=N socket_errors=N

local token = os.getenv("CRM_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

function init(args)
  math.randomseed(1000 + (thread_id or 0) * 7919)
end

-- Percent-encodes a query parameter value (UTF-8 bytes as %XX).
function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
