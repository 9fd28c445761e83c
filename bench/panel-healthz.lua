-- GET /healthz: the ceiling the panel endpoints are compared with.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua"
require("panel-common")
label = "healthz"
check = "ok"
