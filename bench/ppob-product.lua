-- wrk script: the KHOINS product check (POST /ppob/api/product) as the bench member.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"memberid":"BENCH01","memberpass":"bench-pass","memberpin":"654321","codes":["PLNGR25"],"providers":["PASCA"]}'
