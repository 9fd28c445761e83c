-- POST {{urlAsuransi}}/akseptasi/registrasi: a new CAC policy per request (unique ID_Loan
-- and NIK per run, thread and request), so every request issues a policy.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua"
require("panel-common")
label = "cac-registration"
check = '"Status":"00"'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic YWFwOmFhcC1zZWNyZXQ=" -- aap:aap-secret
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local run5 = tonumber(run) % 100000

request = function()
  counter = counter + 1
  local body = string.format('{"Kode_Cabang_Bank":"015","ID_Loan":"B%s-%d-%d","Tenor":60,"Nama_Nasabah":"BENCH",'
    .. '"NIK":"8%05d%02d%08d","Tanggal_Lahir":"1976-01-01","Nilai_Pertanggungan":15000000,'
    .. '"Tanggal_Pengajuan":"2024-08-16","Tanggal_Akad":"2024-08-16","Usia":48,"Tanggal_Akhir_Asuransi":"2029-08-16",'
    .. '"Produk":"01","Jenis_Transaksi":"NEW"}', run, id, counter, run5, id, counter)
  return wrk.format(nil, nil, nil, body)
end
