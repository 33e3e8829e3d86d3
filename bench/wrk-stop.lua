-- SPDX-License-Identifier: GPL-2.0-or-later
--
-- wrk script of bench/http-cost: stop after $WRK_STOP answers, so a run
-- is a count of requests, not a time (guest time under qemu -icount is
-- no measure of work). wrk then sleeps out its -d, which the guest skips.

local left = tonumber(os.getenv("WRK_STOP"))

function response(status, headers, body)
	left = left - 1
	if left <= 0 then
		wrk.thread:stop()
	end
end
