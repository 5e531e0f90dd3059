-- Search with a rotation of queries people really type: names in several
-- scripts, word starts (one or two characters, as typed into a search box),
-- parts of emails and phone numbers typed different ways.
-- BENCH_SEARCH_PREFIX selects the endpoint, e.g. "/api/v1/search?limit=20&q="
-- or "/api/v1/contacts?q=". bench/run.sh also times each query alone.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

queries = {
  "Иванов", "Смирнова Анна", "Петр", "Кузнецов Д", "ООО Вектор",
  "Müller", "Schäfer", "jörg", "Hoffmann GmbH",
  "山田", "田中 美咲", "佐藤", "株式会社",
  "王", "김민준", "이",
  "Smith", "o'brien", "García",
  "ivanov", "tanaka", "+7 (495) 12", "030 12", "+81 3-12",
  "An", "Ма",
}

local prefix = os.getenv("BENCH_SEARCH_PREFIX") or "/api/v1/search?limit=20&q="
local paths = {}
for i, q in ipairs(queries) do
  paths[i] = prefix .. urlencode(q)
end

local n = 0
function request()
  if n == 0 then
    n = math.random(1, #paths)
  end
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
