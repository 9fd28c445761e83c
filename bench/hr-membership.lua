-- wrk script: GET an employee's BPJS membership, rotating over the ids in $HR_IDS_FILE
-- (one per line), with the Bearer token in $HR_TOKEN and Tenant: demo.
local ids = {}
local token = os.getenv("HR_TOKEN")
local programme = os.getenv("HR_PROGRAMME") or "bpjs-healthcare-memberships"
for line in io.lines(os.getenv("HR_IDS_FILE")) do
  if #line > 0 then ids[#ids + 1] = line end
end
local i = 0
local statuses = {}

request = function()
  i = i + 1
  local id = ids[(i % #ids) + 1]
  return wrk.format("GET", "/core/v1/employees/" .. id .. "/" .. programme, {
    ["Authorization"] = "Bearer " .. token,
    ["Tenant"] = "demo",
  })
end

response = function(status)
  if status ~= 200 then
    statuses[status] = (statuses[status] or 0) + 1
  end
end

done = function()
  for status, n in pairs(statuses) do
    io.write(string.format("non-200 answers: %d x HTTP %d\n", n, status))
  end
end
