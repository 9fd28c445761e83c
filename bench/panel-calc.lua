-- POST {{urlAsuransi}}/get-rate-premi-panel with the spec's example (Tenor as a string),
-- a different NIK per request so the accumulation query runs for real.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua"
require("panel-common")
label = "premium-calculation"
check = '"Status":"00"'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic YWFwOmFhcC1zZWNyZXQ=" -- aap:aap-secret

request = function()
  counter = counter + 1
  local body = string.format('{"Tanggal_Lahir":"1976-01-01","Tanggal_Akad":"2024-10-15","Tenor":"120",'
    .. '"Nilai_Pertanggungan":15000000,"Produk":"01","NIK":"9%02d%012d"}', id, counter)
  return wrk.format(nil, nil, nil, body)
end
