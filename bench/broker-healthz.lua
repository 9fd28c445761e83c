-- GET /healthz of the broker, the baseline measured in the same run.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua"
require("broker-common")
label = "healthz"
check = "ok"
