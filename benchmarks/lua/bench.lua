-- One wrk script for every phase, chosen by BENCH_MODE:
--   get    GET the paths in BENCH_PATHS (comma-separated), in turn
--   post   POST an empty form to BENCH_PATHS' first path (the bare-insert ceiling)
--   safe   POST name, email and country with the CSRF token to BENCH_PATHS' first path
--          (the safe-insert ceiling), a new email address each time
--   sign   POST the real signing form to BENCH_SIGN_PATH, a new email address each time
--   mixed  nine GETs of BENCH_PATHS for each signing POST
-- It prints one line "BENCH_JSON {...}" with the figures the runner reads.

local mode = os.getenv("BENCH_MODE") or "get"
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "/", "([^,]+)") do table.insert(paths, path) end
local sign_path = os.getenv("BENCH_SIGN_PATH") or "/"
local token = os.getenv("BENCH_CSRF_TOKEN") or ""
local cookie = os.getenv("BENCH_CSRF_COOKIE") or ""
local started = os.getenv("BENCH_STARTED") or ""
local run = os.getenv("BENCH_RUN") or "run"
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local form_headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = "csrftoken=" .. cookie,
}

function init(args)
  counter = 0
  signed = 0
  wrk.headers["Cookie"] = "csrftoken=" .. cookie
  -- as every browser asks: the pages come gzipped, as visitors get them
  wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
end

local function sign()
  local body = "csrfmiddlewaretoken=" .. token .. "&started=" .. started
    .. "&name=Bench+Signer&country=SY&email=" .. run .. "-" .. id .. "-" .. counter .. "%40example.org"
  return wrk.format("POST", sign_path, form_headers, body)
end

local function safe_insert()
  local body = "csrfmiddlewaretoken=" .. token .. "&name=Bench+Signer&country=SY&email=safe-"
    .. run .. "-" .. id .. "-" .. counter .. "%40example.org"
  return wrk.format("POST", paths[1], form_headers, body)
end

function request()
  counter = counter + 1
  if mode == "safe" then
    return safe_insert()
  end
  if mode == "sign" or (mode == "mixed" and counter % 10 == 0) then
    return sign()
  end
  if mode == "post" then
    return wrk.format("POST", paths[1], form_headers, "value=x")
  end
  return wrk.format("GET", paths[(counter % #paths) + 1], wrk.headers)
end

-- Only phases that sign look at answers: reading every body in Lua would slow wrk itself.
-- "signed" counts the thank-yous (302) of signing and the rows created (201) of the ceilings.
if mode == "sign" or mode == "mixed" or mode == "post" or mode == "safe" then
  function response(status, headers, body)
    if status == 302 or status == 201 then signed = signed + 1 end
  end
end

function done(summary, latency, requests)
  local total_signed = 0
  for _, thread in ipairs(threads) do
    total_signed = total_signed + (thread:get("signed") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, '
      .. '"socket_errors": %d, "timeouts": %d, "http_errors": %d, "signed": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, errors.connect + errors.read + errors.write, errors.timeout,
    errors.status, total_signed))
end
