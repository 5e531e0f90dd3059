-- The same URL every time (the one on wrk's command line), with the token.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
