-- A mixed read/write load for the soak (reliability/soak.sh), built on the
-- benchmark's helpers (bench/wrk/common.lua: token, per-thread seeds,
-- urlencode). Each request is drawn at random:
--   40 %  GET /api/v1/contacts/{id}, id uniform in 1..BENCH_CONTACTS
--   15 %  a list page: GET /api/v1/contacts?sort=last_name&limit=50, following
--         next_cursor for up to 20 pages, then from the start again
--   15 %  search: /api/v1/search?limit=20&q= or /api/v1/contacts?q= with the
--         benchmark's 26 queries
--   10 %  POST /api/v1/contacts (create); with SOAK_STEADY (the default) every
--         other one, and every other create of a deal, task or ticket below,
--         is a DELETE of one this thread created, so the data keeps its size
--   20 %  PATCH /api/v1/contacts/{id} with If-Match on a small hot set of ids
--         (SOAK_HOT, default 200), so that concurrent connections collide and
--         some PATCHes answer 412 by design; an id whose ETag is not known yet
--         (or went stale) is read first with a GET.
-- Every answer is counted by status; done() prints one line that soak.sh parses:
--   SOAK requests=N seconds=S rps=R p50_ms=A p99_ms=B max_ms=C non2xx=N
--        socket_errors=N s2xx=N s412=N s4xx=N s5xx=N other=N cursor_pages=N
-- where s4xx excludes 412 and "unexpected errors" = s4xx + s5xx + other + socket_errors.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local max_id = tonumber(os.getenv("BENCH_CONTACTS") or "20000")
local max_company = tonumber(os.getenv("BENCH_COMPANIES") or "2000")
local hot = tonumber(os.getenv("SOAK_HOT") or "200")

local threads = {}
local common_setup = setup
function setup(thread)
  common_setup(thread)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state).
s2xx, s412, s4xx, s5xx, other, deep = 0, 0, 0, 0, 0, 0
local etags = {}          -- id -> ETag text, learnt from any single-record answer
local cursor = nil        -- the list walk's next page
-- SOAK_STEADY (on unless "0"): every other create of a contact, deal, task
-- or ticket is a DELETE (to the trash) of one this thread created before,
-- so the live data keeps its size and a slower answer is drift, not growth.
local steady = os.getenv("SOAK_STEADY") ~= "0"
local created = { contacts = {}, deals = {}, activities = {}, tickets = {} }
local turn = 0
local pages = 0
local seq = 0

local queries = {
  "Иванов", "Смирнова Анна", "Петр", "Кузнецов Д", "ООО Вектор",
  "Müller", "Schäfer", "jörg", "Hoffmann GmbH",
  "山田", "田中 美咲", "佐藤", "株式会社",
  "王", "김민준", "이",
  "Smith", "o'brien", "García",
  "ivanov", "tanaka", "+7 (495) 12", "030 12", "+81 3-12",
  "An", "Ма",
}
local search_paths = {}
for _, q in ipairs(queries) do
  table.insert(search_paths, "/api/v1/search?limit=20&q=" .. urlencode(q))
  table.insert(search_paths, "/api/v1/contacts?limit=50&q=" .. urlencode(q))
end

local people = {
  { "Анна", "Смирнова", "anna.smirnova" }, { "Дмитрий", "Орлов", "d.orlov" },
  { "Jörg", "Schäfer", "joerg.schaefer" }, { "Lena", "Müller", "lena.mueller" },
  { "美咲", "田中", "misaki.tanaka" }, { "伟", "王", "wei.wang" },
  { "지현", "김", "jihyun.kim" }, { "Łukasz", "Wiśniewski", "lukasz.wisniewski" },
}
local positions = { "Sales", "Head of sales", "Buyer", "CFO", "Менеджер", "営業部長" }

-- wrk.format() uses the headers given instead of wrk.headers, so the token
-- (set by common.lua) is copied into each header table.
local function with_auth(h)
  for k, v in pairs(wrk.headers) do
    if h[k] == nil then h[k] = v end
  end
  return h
end
local json_hdr = with_auth({ ["Content-Type"] = "application/json" })

-- With steady on, every other call trashes the oldest record of kind this
-- thread created (when there is one) instead of creating another.
local function trash_instead(kind)
  turn = turn + 1
  if not steady or turn % 2 == 0 or #created[kind] == 0 then
    return nil
  end
  return wrk.format("DELETE", "/api/v1/" .. kind .. "/" .. table.remove(created[kind], 1))
end

-- The later features' requests (2 % each), by number 1..8.
local function feature(k)
  seq = seq + 1
  if k == 1 then
    local d = trash_instead("deals")
    if d then return d end
    return wrk.format("POST", "/api/v1/deals", json_hdr, string.format(
      '{"title":"Soak deal %d.%d","pipeline_id":1,"amount":%d,"currency":"EUR",' ..
      '"company_id":%d,"source":"web"}', thread_id or 0, seq,
      math.random(100, 10000000), math.random(1, max_company)))
  elseif k == 2 then
    return wrk.format("GET", "/api/v1/deals/board?pipeline_id=1")
  elseif k == 3 then
    local d = trash_instead("activities")
    if d then return d end
    return wrk.format("POST", "/api/v1/activities", json_hdr, string.format(
      '{"kind":"task","subject":"Soak task %d.%d","due_at":"2026-12-%02dT10:00:00Z",' ..
      '"company_id":%d}', thread_id or 0, seq, math.random(1, 28),
      math.random(1, max_company)))
  elseif k == 4 then
    return wrk.format("GET", "/api/v1/activities/my-day?tz=Europe/Berlin")
  elseif k == 5 then
    local d = trash_instead("tickets")
    if d then return d end
    return wrk.format("POST", "/api/v1/tickets", json_hdr, string.format(
      '{"subject":"Soak ticket %d.%d","description":"The printer is on fire",' ..
      '"priority":"normal","company_id":%d}', thread_id or 0, seq,
      math.random(1, max_company)))
  elseif k == 6 then
    return wrk.format("GET", "/api/v1/reports/" .. math.random(1, 12) .. "/run?tz=UTC")
  elseif k == 7 then
    return wrk.format("GET", "/api/v1/companies/" .. math.random(1, max_company) ..
      "/timeline?limit=50")
  else
    return wrk.format("GET", "/api/v1/notifications")
  end
end

function request()
  local r = math.random(100)
  if r <= 32 then
    return wrk.format("GET", "/api/v1/contacts/" .. math.random(1, max_id))
  elseif r <= 48 then
    return feature(((r - 33) % 8) + 1)
  elseif r <= 60 then
    local path = "/api/v1/contacts?sort=last_name&limit=50"
    if cursor ~= nil and pages < 20 then
      path = path .. "&cursor=" .. urlencode(cursor)
      pages = pages + 1
      deep = deep + 1
    else
      pages = 0
    end
    cursor = nil
    return wrk.format("GET", path)
  elseif r <= 72 then
    return wrk.format("GET", search_paths[math.random(1, #search_paths)])
  elseif r <= 80 then
    local d = trash_instead("contacts")
    if d then return d end
    seq = seq + 1
    local p = people[math.random(1, #people)]
    local body = string.format(
      '{"first_name":"%s","last_name":"%s","emails":["%s.%d.%d@soak.example"],' ..
      '"phones":["+7 (495) %03d-%02d-%02d"],"company_id":%d,"source":"web",' ..
      '"tags":["soak"],"position":"%s"}',
      p[1], p[2], p[3], thread_id or 0, seq, math.random(100, 999),
      math.random(0, 99), math.random(0, 99), math.random(1, max_company),
      positions[math.random(1, #positions)])
    return wrk.format("POST", "/api/v1/contacts", json_hdr, body)
  else
    local id = math.random(1, hot)
    local etag = etags[id]
    if etag == nil then
      return wrk.format("GET", "/api/v1/contacts/" .. id)
    end
    etags[id] = nil -- used once; the answer brings the next one
    seq = seq + 1
    local body = string.format('{"position":"%s %d","notes":"soak %d.%d"}',
      positions[math.random(1, #positions)], seq, thread_id or 0, seq)
    return wrk.format("PATCH", "/api/v1/contacts/" .. id,
      with_auth({ ["Content-Type"] = "application/json", ["If-Match"] = etag }), body)
  end
end

-- The contact list's cursor: hex of "<id>\n<last_name>" (src/core/list.c),
-- and the page it came from holds contacts (they have a last_name).
function is_list_cursor(c)
  local digits = 0
  for i = 1, #c - 1, 2 do
    local byte = tonumber(string.sub(c, i, i + 1), 16)
    if byte == nil then return false end
    if byte == 10 then return digits > 0 end
    if byte < 48 or byte > 57 then return false end
    digits = digits + 1
  end
  return false
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    s2xx = s2xx + 1
    local etag = headers["ETag"] or headers["etag"]
    if etag ~= nil then
      local id = tonumber(string.match(body, '"id":(%d+),"created_at"'))
      if id ~= nil and id <= hot then
        etags[id] = etag
      end
      -- A record this thread created (201, with the soak's own marks).
      local new_id = status == 201 and id
      if new_id and steady then
        if string.find(body, '@soak.example', 1, true) then
          table.insert(created.contacts, new_id)
        elseif string.find(body, '"title":"Soak deal ', 1, true) then
          table.insert(created.deals, new_id)
        elseif string.find(body, '"subject":"Soak task ', 1, true) then
          table.insert(created.activities, new_id)
        elseif string.find(body, '"subject":"Soak ticket ', 1, true) then
          table.insert(created.tickets, new_id)
        end
      end
    else
      -- Only the contact list's own cursor: other lists answered here (a
      -- company's timeline, notifications) have cursors of their own
      -- shape, which the contact list rightly refuses with a 400.
      local c = string.match(body, '"next_cursor":"([^"]+)"')
      if c ~= nil and string.sub(body, 1, 8) == '{"data":' and is_list_cursor(c) then
        cursor = c
      end
    end
  elseif status == 412 then
    s412 = s412 + 1
  else
    if status >= 400 and status < 500 then
      s4xx = s4xx + 1
    elseif status >= 500 and status < 600 then
      s5xx = s5xx + 1
    else
      other = other + 1
    end
    -- The first few error answers of each thread, for soak.sh to show:
    -- a problem+json names what went wrong.
    shown = (shown or 0) + 1
    if shown <= 3 then
      io.write(string.format("SOAK-ERR %d %s\n", status, string.sub(body or "", 1, 300)))
    end
  end
end

function done(summary, latency, requests)
  local t2, t412, t4, t5, to, td = 0, 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t2 = t2 + (t:get("s2xx") or 0)
    t412 = t412 + (t:get("s412") or 0)
    t4 = t4 + (t:get("s4xx") or 0)
    t5 = t5 + (t:get("s5xx") or 0)
    to = to + (t:get("other") or 0)
    td = td + (t:get("deep") or 0)
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "SOAK requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "non2xx=%d socket_errors=%d s2xx=%d s412=%d s4xx=%d s5xx=%d other=%d cursor_pages=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout,
    t2, t412, t4, t5, to, td))
end
