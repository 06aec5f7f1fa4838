"""The Lua scripts, as strings (no package data to lose in a wheel).

Times are whole microseconds of Redis ``TIME``: one clock for every process, and integers
(well under 2**53) that Lua's doubles hold exactly. Redis 5 and later replicate a script's
effects, so reading ``TIME`` before writing is allowed; ``replicate_commands`` covers 3.2-4.
"""

from __future__ import annotations

__all__ = ["ACQUIRE", "PAUSE"]

#: KEYS[1] the schedule (theoretical arrival time of the next token, TAT), KEYS[2] the pause
#: (until when, in microseconds). ARGV[1] microseconds per token, ARGV[2] burst.
#: Returns 0 when a token was taken, else the microseconds until one may be free.
#:
#: GCRA, the same schedule as the in-process TokenBucket: a token may go out while
#: TAT - (burst - 1) * interval <= now; taking it moves TAT one interval on. A missing key
#: means a full bucket; the key expires when the bucket would be full again.
ACQUIRE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[2]))
if paused and paused > now then
  return paused - now
end
local interval = tonumber(ARGV[1])
local tolerance = (tonumber(ARGV[2]) - 1) * interval
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then
  tat = now
end
local due = tat - tolerance
if due > now then
  return due - now
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
return 0
"""

#: KEYS[1] the pause key; ARGV[1] the pause in microseconds. Never shortens a longer pause.
#: Returns 1 when the pause was set or extended, 0 when a longer one was already there.
PAUSE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local length = tonumber(ARGV[1])
local untl = now + length
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= untl then
  return 0
end
redis.call('SET', KEYS[1], string.format('%d', untl), 'PX', math.ceil(length / 1000) + 1)
return 1
"""
