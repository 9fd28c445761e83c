-- wrk script: KHOINS inquiries (GET /ppob/?kodeproduk=INQWASBY) as the demo member, each
-- with its own trxid (a repeated trxid would be answered from the stored answer).
local counter = 0
local prefix = tostring(os.time()) .. tostring(math.random(1000, 9999))
request = function()
  counter = counter + 1
  local path = "/ppob/?tujuan=1013226&kodeproduk=INQWASBY&memberid=DEMO01&memberpass=demo-pass&memberpin=123456&trxid=B"
    .. prefix .. "-" .. counter
  return wrk.format("GET", path)
end
