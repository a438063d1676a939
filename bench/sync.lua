-- wrk script for bench/sync_bench.py: POSTs sync bodies whose event ids are never reused.
--   wrk ... -s bench/sync.lua URL -- PATH EVENTS PREFIX AT SESSIONS BAND [COOKIE CSRF]
-- PATH: the endpoint; EVENTS: events per request; PREFIX: 8 hex digits unique to this
-- wrk run; AT: the device time (ISO 8601); SESSIONS: session ids, comma-separated
-- (requests take them in turn); BAND: an age band id; COOKIE and CSRF: the
-- signed-in leader's Cookie header and CSRF token (omitted for the floors).
-- EVENTS 0 sends GET PATH instead (the JSON floor).
-- Ids are PREFIX-thread-4000-8000-counter: unique within a run, and runs differ by PREFIX.
-- At the end it prints one line, WRKSTATS {json}, that the harness reads.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  path, events, prefix, at, band = args[1], tonumber(args[2]), args[3], args[4], args[6]
  sessions = {}
  for session in string.gmatch(args[5], "[^,]+") do table.insert(sessions, session) end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[7] and args[7] ~= "" then
    wrk.headers["Cookie"] = args[7]
    wrk.headers["X-CSRFToken"] = args[8]
  end
  -- Each thread starts at its own eighth of the sessions and walks on from
  -- there, so no two threads' requests meet on one session (and its lock):
  -- starting at `id` put thread 2 one session ahead of thread 1, and three of
  -- a thread's four requests in flight waited for the other thread's.
  turn = math.floor((id - 1) * #sessions / 8)
  bad, rejected, checked = 0, 0, 0
end

local function event_id()
  counter = counter + 1
  return string.format("%s-%04x-4000-8000-%012x", prefix, id, counter)
end

function request()
  if events == 0 then return wrk.format("GET", path) end
  turn = turn % #sessions + 1
  local session = sessions[turn]
  local parts = {}
  for n = 1, events do
    parts[n] = string.format(
      '{"id":"%s","session":%s,"kind":"tally","at":"%s","payload":{"age_band":%s,"gender":"F","visits":1,"first_visits":0}}',
      event_id(), session, at, band)
  end
  local body = '{"device":"wrk","sent_at":"' .. at .. '","events":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format(nil, path, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  elseif string.find(body, '"rejected"', 1, true) or string.find(body, '"duplicate"', 1, true) then
    rejected = rejected + 1
  end
  checked = checked + 1
end

function done(summary, latency, requests)
  local bad_total, rejected_total, checked_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    rejected_total = rejected_total + thread:get("rejected")
    checked_total = checked_total + thread:get("checked")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKSTATS {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,' ..
    '"bad":%d,"rejected":%d,"checked":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    bad_total, rejected_total, checked_total,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
