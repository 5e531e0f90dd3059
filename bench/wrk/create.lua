-- POST /api/v1/contacts: new contacts with varied names, emails, phones,
-- linked to existing companies (ids 1..BENCH_COMPANIES).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

wrk.headers["Content-Type"] = "application/json"

local max_company = tonumber(os.getenv("BENCH_COMPANIES") or "100000")
local people = {
  { "Анна", "Смирнова", "anna.smirnova", "+7 (495) %03d-%02d-%02d" },
  { "Дмитрий", "Орлов", "d.orlov", "8 916 %03d %02d %02d" },
  { "Jörg", "Schäfer", "joerg.schaefer", "030 %03d%02d%02d" },
  { "Lena", "Müller", "lena.mueller", "+49 89 %03d %02d %02d" },
  { "美咲", "田中", "misaki.tanaka", "+81 3-%03d1-%02d%02d" },
  { "太郎", "山田", "taro.yamada", "090-%03d1-%02d%02d" },
  { "Emily", "Clark", "emily.clark", "+1 (212) %03d-%02d%02d" },
  { "伟", "王", "wei.wang", "+86 10 %03d1 %02d%02d" },
  { "지현", "김", "jihyun.kim", "010-%03d1-%02d%02d" },
  { "Łukasz", "Wiśniewski", "lukasz.wisniewski", "+48 22 %03d %02d %02d" },
}

local seq = 0
function request()
  seq = seq + 1
  local p = people[math.random(1, #people)]
  local phone = string.format(p[4], math.random(100, 999),
    math.random(0, 99), math.random(0, 99))
  local body = string.format(
    '{"first_name":"%s","last_name":"%s","emails":["%s.%d.%d@bench.example"],' ..
    '"phones":["%s"],"company_id":%d,"source":"web","tags":["bench"],' ..
    '"position":"Sales"}',
    p[1], p[2], p[3], thread_id or 0, seq, phone,
    math.random(1, max_company))
  return wrk.format("POST", "/api/v1/contacts", nil, body)
end
