-- Copyright (c) 2026 The asioctx authors
--
-- Distributed under the Boost Software License, Version 1.0. (See accompanying
-- file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
-- wrk script for bench/http/run.sh: every request carries a 50 ms grpc-timeout; two in five
-- ask for 100 ms of work (they exceed it and get the deadline answer), three in five for 1 ms.
wrk.headers["grpc-timeout"] = "50m"
local n = 0
request = function()
  n = n + 1
  if n % 5 < 2 then
    return wrk.format("GET", "/sleep?ms=100")
  end
  return wrk.format("GET", "/sleep?ms=1")
end
