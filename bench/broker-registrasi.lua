-- CAC registrations: a new policy per request (unique ID_Loan and NIK per run, thread and
-- request). BENCH_MODE=broker posts to {broker}/aap/bank/akseptasi/registrasi as the bank
-- (`bank` / `bank-secret`, with `Asuransi`); BENCH_MODE=direct posts the same body to
-- {panel}/asuransi/A03/akseptasi/registrasi as the broker (`aap` / `aap-secret`).
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua"
require("broker-common")
local mode = os.getenv("BENCH_MODE") or "broker"
local panel = os.getenv("PANEL") or "A03"
label = "cac-registration-" .. mode
check = '"Status":"00"'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if mode == "broker" then
  wrk.headers["Authorization"] = "Basic YmFuazpiYW5rLXNlY3JldA==" -- bank:bank-secret
else
  wrk.headers["Authorization"] = "Basic YWFwOmFhcC1zZWNyZXQ=" -- aap:aap-secret
end
local stamp = os.getenv("BENCH_RUN") or tostring(os.time())
local run = stamp .. mode:sub(1, 1)
local run5 = tonumber(stamp) % 100000 -- 16-digit NIKs: mode digit, run, thread, request

request = function()
  counter = counter + 1
  -- Premi is the bank's own calculation (15,000,000 x 8.0 per mille at age 48, tenor 60),
  -- so the broker forwards one request and needs no calculator call.
  local body = string.format('{"Kode_Cabang_Bank":"015","ID_Loan":"R%s-%d-%d","Tenor":60,"Nama_Nasabah":"BENCH",'
    .. '"NIK":"%s%05d%02d%08d","Tanggal_Lahir":"1976-01-01","Nilai_Pertanggungan":15000000,'
    .. '"Tanggal_Pengajuan":"2024-08-16","Tanggal_Akad":"2024-08-16","Usia":48,"Tanggal_Akhir_Asuransi":"2029-08-16",'
    .. '"Premi":120000,"Produk":"01","Jenis_Transaksi":"NEW"%s}', run, id, counter, mode == "broker" and "7" or "6", run5, id, counter,
    mode == "broker" and (',"Asuransi":"' .. panel .. '"') or "")
  return wrk.format(nil, nil, nil, body)
end
