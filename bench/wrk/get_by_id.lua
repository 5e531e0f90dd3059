-- GET /api/v1/contacts/{id} with ids drawn uniformly from 1..BENCH_CONTACTS.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local max_id = tonumber(os.getenv("BENCH_CONTACTS") or "1000000")

function request()
  return wrk.format("GET", "/api/v1/contacts/" .. math.random(1, max_id))
end
