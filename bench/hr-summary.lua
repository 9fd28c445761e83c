-- wrk script: GET the tenant's monthly contribution summary (period $HR_PERIOD, default 2025-04).
local token = os.getenv("HR_TOKEN")
local period = os.getenv("HR_PERIOD") or "2025-04"
request = function()
  return wrk.format("GET", "/core/v1/bpjs-contributions/summary?period=" .. period, {
    ["Authorization"] = "Bearer " .. token,
    ["Tenant"] = "demo",
  })
end
response = function(status, headers, body)
  if status ~= 200 then
    io.write("summary answered HTTP " .. status .. "\n")
  end
end
