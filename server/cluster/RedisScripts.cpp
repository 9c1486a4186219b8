#include "RedisScripts.h"

namespace cdc::redis_scripts {

// KEYS: meta hash, stream, idempotency record (the meta key again when there is no key).
// ARGV: Pub/Sub channel, stream cap (0: none), max age in ms (0: none), fingerprint ('' : no
//       idempotency key), idempotency window in s, the publishing instance's id, then the payloads.
// Pub/Sub message: "<epoch> <first seq> <ts_ms> <instance id>\n<payload>\n<payload>..." (compact
//       JSON has no raw line break).
// Reply: {first seq, ts_ms, epoch, 1 if this answers an earlier request with the same key}.
const QByteArray publish = QByteArrayLiteral(R"lua(
local meta, stream, record = KEYS[1], KEYS[2], KEYS[3]
local fingerprint = ARGV[4]
if fingerprint ~= '' then
  local prior = redis.call('hmget', record, 'fp', 'first', 'ts', 'epoch')
  if prior[1] then
    if prior[1] ~= fingerprint then
      return redis.error_reply('IDEMPOTENCY_KEY_REUSED the key was used for another request body')
    end
    return {tonumber(prior[2]), tonumber(prior[3]), prior[4], 1}
  end
end
local count = #ARGV - 6
local state = redis.call('hmget', meta, 'seq', 'ts', 'epoch')
local clock = redis.call('time')
local epoch = state[3]
if not epoch then
  -- A channel Redis has no state for (first use, or a Redis that lost its data) starts a new
  -- epoch: instances that knew the old one see that history was lost.
  epoch = clock[1] .. '-' .. clock[2]
end
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local last = tonumber(state[2] or '0')
if now < last then now = last end
local first = tonumber(state[1] or '0') + 1
-- A counter behind its stream (the hash lost or edited, the stream kept) must not reuse ids.
local top = redis.call('xrevrange', stream, '+', '-', 'COUNT', 1)
if #top > 0 then
  local topSeq = tonumber(string.match(top[1][1], '^(%d+)'))
  if topSeq >= first then first = topSeq + 1 end
end
local lastSeq = first + count - 1
redis.call('hset', meta, 'seq', string.format('%d', lastSeq), 'ts', string.format('%d', now), 'epoch', epoch)
-- The seq an epoch continues after: what an instance that knew the old epoch restarts from.
if not state[3] then redis.call('hset', meta, 'start', string.format('%d', first - 1)) end
local nowText = string.format('%d', now)
for i = 1, count do
  redis.call('xadd', stream, string.format('%d-0', first + i - 1), 't', nowText, 'p', ARGV[6 + i])
end
local cap = tonumber(ARGV[2])
if cap > 0 then redis.call('xtrim', stream, 'MAXLEN', '~', cap) end
local maxAge = tonumber(ARGV[3])
if maxAge > 0 then
  -- Only when the oldest entry has expired are more read; each publish then trims at least as
  -- many as it adds, so the age limit keeps pace with any publish rate.
  local head = redis.call('xrange', stream, '-', '+', 'COUNT', 1)
  if #head > 0 and tonumber(head[1][2][2]) < now - maxAge then
    local oldest = redis.call('xrange', stream, '-', '+', 'COUNT', count + 100)
    local keepFrom = nil
    for _, entry in ipairs(oldest) do
      if tonumber(entry[2][2]) >= now - maxAge then keepFrom = entry[1]; break end
    end
    if keepFrom then redis.call('xtrim', stream, 'MINID', keepFrom) end
  end
end
if fingerprint ~= '' then
  redis.call('hset', record, 'fp', fingerprint, 'first', string.format('%d', first), 'ts', string.format('%d', now), 'epoch', epoch)
  redis.call('expire', record, ARGV[5])
end
redis.call('publish', ARGV[1], epoch .. ' ' .. string.format('%d %d ', first, now) .. ARGV[6] .. '\n' .. table.concat(ARGV, '\n', 7))
return {first, now, epoch, 0}
)lua");

// KEYS: meta hash, stream.
// ARGV: since seq (-1: none), since ts_ms (-1: none), limit, up to seq (0: the channel's last).
// Reply: {epoch or '', oldest retained seq (0: none), last seq, matched, entries...}; an entry is
//        XRANGE's {id, {'t', ts, 'p', payload}}, ascending.
const QByteArray travel = QByteArrayLiteral(R"lua(
local meta, stream = KEYS[1], KEYS[2]
local sinceSeq, sinceTs, limit, upto = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('hmget', meta, 'seq', 'epoch')
local lastSeq = tonumber(state[1] or '0')
if upto <= 0 or upto > lastSeq then upto = lastSeq end
local head = redis.call('xrange', stream, '-', '+', 'COUNT', 1)
if #head == 0 or upto == 0 then return {state[2] or '', 0, lastSeq, 0} end
local oldest = tonumber(string.match(head[1][1], '^(%d+)'))
local function tsAt(seq)
  local id = string.format('%d-0', seq)
  local entry = redis.call('xrange', stream, id, id)
  return tonumber(entry[1][2][2])
end
local from = oldest
if sinceSeq >= 0 and sinceSeq + 1 > from then from = sinceSeq + 1 end
if sinceTs >= 0 then
  -- Binary search for the first retained seq with ts_ms >= sinceTs (ts_ms never decreases).
  local lo, hi = from, upto + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if tsAt(mid) < sinceTs then lo = mid + 1 else hi = mid end
  end
  from = lo
end
local matched = upto - from + 1
if matched <= 0 then return {state[2] or '', oldest, lastSeq, 0} end
local entries
if sinceSeq < 0 and sinceTs < 0 then
  entries = redis.call('xrevrange', stream, string.format('%d-0', upto), string.format('%d-0', from), 'COUNT', limit)
  local ascending = {}
  for i = #entries, 1, -1 do ascending[#ascending + 1] = entries[i] end
  entries = ascending
else
  entries = redis.call('xrange', stream, string.format('%d-0', from), string.format('%d-0', upto), 'COUNT', limit)
end
local reply = {state[2] or '', oldest, lastSeq, matched}
for _, entry in ipairs(entries) do reply[#reply + 1] = entry end
return reply
)lua");

// KEYS: meta hash. ARGV: the seq an instance delivered, the epoch it delivered it under.
const QByteArray newEpoch = QByteArrayLiteral(R"lua(
local state = redis.call('hmget', KEYS[1], 'seq', 'epoch')
if state[2] == ARGV[2] and tonumber(state[1] or '0') < tonumber(ARGV[1]) then
  local clock = redis.call('time')
  redis.call('hset', KEYS[1], 'epoch', clock[1] .. '-' .. clock[2], 'start', state[1] or '0')
  return 1
end
return 0
)lua");

} // namespace cdc::redis_scripts
