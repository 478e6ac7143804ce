-- Cold pages (bench/run.py): every URL of a list requested at most once, as a crawler walks a site.
--
--   wrk -t2 -c16 -d5s -s bench/cold.lua http://127.0.0.1:PORT/ -- URLS_FILE THREADS [cycle]
--
-- URLS_FILE holds one path a line. Thread k (0-based) of THREADS takes lines k+1, k+1+THREADS, ...:
-- the threads never share a URL and no thread repeats one. The caller sizes -d so the list lasts
-- (bench/run.py, sized_crawl()). A thread that runs out anyway stops (wrk.thread:stop()); the
-- request written as it stops goes to /robots.txt. The connections it had just reopened then stay
-- silent and hold gunicorn's sync workers until wrk exits, so the run is over at the first stop:
-- each thread notes when it started and stopped (/proc/uptime, 10 ms steps) for the caller.
-- With "cycle" (the warm miss, on a server whose page cache is off) a thread starts its share again.
-- Responses are counted by status and by X-Page-Cache: a cold page is a "miss"; a "hit" would mean a
-- page served from the cache, i.e. not cold. done() prints one COLD line and one COLD-THREAD line per
-- thread (how many of its URLs it issued, so the caller knows which URLs were requested).

local threads = {}
local count = 0

local function uptime()
  local file = io.open("/proc/uptime")
  local seconds = file:read("*n")
  file:close()
  return seconds
end

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local step = tonumber(args[2])
  cycle = args[3] == "cycle"
  paths = {}
  listed = 0
  for line in io.lines(args[1]) do
    if line ~= "" then
      if listed % step == id then
        table.insert(paths, line)
      end
      listed = listed + 1
    end
  end
  issued, misses, hits, other, errors, overflow = 0, 0, 0, 0, 0, 0
  started, stopped = uptime(), -1
end

function request()
  if cycle then
    issued = issued + 1
    return wrk.format("GET", paths[(issued - 1) % #paths + 1])
  end
  if issued >= #paths then
    if overflow == 0 then
      stopped = uptime()
    end
    overflow = overflow + 1
    wrk.thread:stop()
    return wrk.format("GET", "/robots.txt")
  end
  issued = issued + 1
  return wrk.format("GET", paths[issued])
end

function response(status, headers, body)
  local cache = headers["X-Page-Cache"] or headers["x-page-cache"]
  if status ~= 200 then
    errors = errors + 1
  elseif cache == "miss" then
    misses = misses + 1
  elseif cache == "hit" then
    hits = hits + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total = {listed = 0, issued = 0, misses = 0, hits = 0, other = 0, errors = 0, overflow = 0}
  for _, t in ipairs(threads) do
    for name, _ in pairs(total) do
      total[name] = total[name] + t:get(name)
    end
    io.write(string.format(
      "COLD-THREAD id=%d issued=%d started=%.2f stopped=%.2f\n",
      t:get("id"), t:get("issued"), t:get("started"), t:get("stopped")
    ))
  end
  io.write(string.format(
    "COLD listed=%d issued=%d misses=%d hits=%d other=%d errors=%d overflow=%d\n",
    total.listed / #threads, total.issued, total.misses, total.hits, total.other, total.errors, total.overflow
  ))
end
