import { createHash } from 'node:crypto';

/**
 * The Lua scripts behind the ranked sets (engine/shared/ranked-sets.ts, whose module comment
 * describes the keys): increment, drop, build begin/commit and read, each one atomic call.
 */

// Lua shared by the scripts: the artist epoch, a set's companions, an artist's numeric id (assigned once, cached per call).
const COMMON = `
local p = ARGV[1]
local epoch = redis.call('GET', p .. 'ae') or '0'
local function companions(k) return k .. '|a' .. epoch, k .. '|s' .. epoch end
local ids = {}
local function aid(artist)
  local id = ids[artist]
  if id then return id end
  id = redis.call('HGET', p .. 'ai', artist)
  if not id then
    id = redis.call('INCR', p .. 'an')
    redis.call('HSET', p .. 'ai', artist, id)
  end
  ids[artist] = id
  return id
end
`;

// ARGV: prefix, then per (scope, day): scope, day, m, m × (song, plays, artist).
// Registry entries are `<window key>\t<from>\t<to>`: dates are 10 characters, so the key is all but the last 22.
const INCREMENT = `${COMMON}
-- the artist of each song first: a song whose artist changed makes every artist set stale (a new epoch);
-- so does one whose artist is unknown here and to the sets (rebuilt with the tracks table's)
local i = 2
local stale = false
local artistOf = {}
while i <= #ARGV do
  local m = tonumber(ARGV[i + 2])
  for j = i + 3, i + 2 + 3 * m, 3 do
    local cur = redis.call('HGET', p .. 'sa', ARGV[j])
    local a = ARGV[j + 2]
    if a == '\\0' then
      if not cur then stale = true end
      artistOf[ARGV[j]] = cur or ''
    else
      artistOf[ARGV[j]] = a
      if cur ~= a then
        redis.call('HSET', p .. 'sa', ARGV[j], a)
        if cur then stale = true end
      end
    end
  end
  i = i + 3 + 3 * m
end
if stale then epoch = tostring(redis.call('INCR', p .. 'ae')) end
i = 2
while i <= #ARGV do
  local scope, day, m = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local first = i + 3
  local last = first + 3 * m - 1
  local targets = {}
  local dk = p .. 'd:' .. scope .. ':' .. day
  if redis.call('EXISTS', dk) == 1 then
    targets[#targets + 1] = dk
  else
    redis.call('DEL', p .. 'b:' .. scope .. ':' .. day)
  end
  local rk = p .. 'r:' .. scope
  for _, e in ipairs(redis.call('SMEMBERS', rk)) do
    local from, to = string.sub(e, -21, -12), string.sub(e, -10)
    local wk = string.sub(e, 1, -23)
    if redis.call('EXISTS', wk) == 0 then
      redis.call('SREM', rk, e)
    elseif from <= day and day <= to then
      targets[#targets + 1] = wk
    end
  end
  for _, k in ipairs(targets) do
    for j = first, last, 3 do
      if tonumber(redis.call('ZINCRBY', k, -tonumber(ARGV[j + 1]), ARGV[j])) >= 0 then redis.call('ZREM', k, ARGV[j]) end
    end
    local ak, sk = companions(k)
    if redis.call('EXISTS', ak, sk) == 2 then
      for j = first, last, 3 do
        local a = artistOf[ARGV[j]]
        redis.call('ZINCRBY', ak, -tonumber(ARGV[j + 1]), '=' .. a)
        redis.call('ZADD', sk, 'NX', aid(a), ARGV[j])
      end
    end
  end
  i = last + 1
end
return 1
`;

const DROP = `${COMMON}
local function del(k)
  local ak, sk = companions(k)
  redis.call('DEL', k, ak, sk)
end
for i = 2, #ARGV, 2 do
  local scope, day = ARGV[i], ARGV[i + 1]
  del(p .. 'd:' .. scope .. ':' .. day)
  redis.call('DEL', p .. 'b:' .. scope .. ':' .. day)
  local rk = p .. 'r:' .. scope
  for _, e in ipairs(redis.call('SMEMBERS', rk)) do
    local from, to = string.sub(e, -21, -12), string.sub(e, -10)
    if day == '*' or (from <= day and day <= to) then
      del(string.sub(e, 1, -23))
      redis.call('SREM', rk, e)
    end
  end
end
return 1
`;

// A build from the counters, in bounded steps (engine/shared/ranked-sets.ts, `buildNow`): begin, stage the
// counters chunk by chunk into a staging set of the build's own, rank the artists of the staged songs chunk by
// chunk, finish. Every step first checks that the build's marker still holds its token: an increment or a drop
// of the day set deletes the marker, and the build then stores nothing (its staging keys are deleted or expire).
// Each step renews the marker and the staging keys for another build lifetime, so only a stalled build lapses.

// KEYS: day set, build marker. ARGV: prefix, token, build ms. Returns 0 when the day set exists, else the
// artist epoch the build starts in (a string).
const BEGIN_BUILD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return redis.call('GET', ARGV[1] .. 'ae') or '0'
`;

// KEYS: build marker, staging set. ARGV: prefix, token, build ms, n, n × (song, artist) looked up in the tracks
// table for songs the sets had not seen (kept unless the sets know them by now), then (song, plays)…: plays added
// to the song's staged count (score −plays; a song may come once per shard). Returns 0 when the build lost its
// marker (its staging set deleted), else { 1, { songs of this call with plays whose artist the sets do not know } }:
// the build looks those up while it streams on, and passes them to a later call.
const STAGE_BUILD = `
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  redis.call('DEL', KEYS[2])
  return 0
end
local sa, na = ARGV[1] .. 'sa', tonumber(ARGV[4])
for j = 5, 4 + 2 * na, 2 do redis.call('HSETNX', sa, ARGV[j], ARGV[j + 1]) end
local songs = {}
for j = 5 + 2 * na, #ARGV, 2 do
  local n = tonumber(ARGV[j + 1])
  redis.call('ZINCRBY', KEYS[2], -n, ARGV[j])
  if n > 0 then songs[#songs + 1] = ARGV[j] end
end
local missing = {}
if #songs > 0 then
  local got = redis.call('HMGET', sa, unpack(songs))
  for q = 1, #songs do if not got[q] then missing[#missing + 1] = songs[q] end end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return { 1, missing }
`;

// KEYS: build marker, staging set, staging artist set, staging song→artist-id set. ARGV: prefix, token,
// build ms, from, count, n, n × (song, artist) for songs the sets have not seen. The staged songs of ranks
// from..from+count−1 (counts ≤ 0 dropped first: only plays rank) go into the artist sets. Returns 0 when the
// build lost its marker (its staging keys deleted), { 'missing', songs… } for songs whose artist the sets do not know (nothing added:
// call again with them; the staging steps had every such song looked up, so only a song-artist hash lost since leaves any), else { 'ok', songs read } (fewer than count: the last chunk).
const RANK_ARTISTS = `${COMMON}
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  return 0
end
local from, count, na = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
for j = 7, 6 + 2 * na, 2 do redis.call('HSETNX', p .. 'sa', ARGV[j], ARGV[j + 1]) end
if from == 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], 0, '+inf') end
local rows = redis.call('ZRANGE', KEYS[2], from, from + count - 1, 'WITHSCORES')
local songs = {}
for r = 1, #rows, 2 do songs[#songs + 1] = rows[r] end
if #songs > 0 then
  local got = redis.call('HMGET', p .. 'sa', unpack(songs))
  local missing = {}
  for q = 1, #songs do if not got[q] then missing[#missing + 1] = songs[q] end end
  if #missing > 0 then return { 'missing', missing } end
  local za = {}
  for q = 1, #songs do
    redis.call('ZINCRBY', KEYS[3], rows[2 * q], '=' .. got[q])
    za[#za + 1] = aid(got[q])
    za[#za + 1] = songs[q]
  end
  redis.call('ZADD', KEYS[4], unpack(za))
end
for q = 1, 4 do redis.call('PEXPIRE', KEYS[q], ARGV[3]) end
return { 'ok', #songs }
`;

// KEYS: build marker, staging set, staging artist set, staging song→artist-id set, day set. ARGV: prefix,
// token, ttl ms, the epoch the build began in. The staged sets become the day set and its companions (with
// their sentinels), in one step; the artist companions only if no artist changed since the build began (else
// the day set stands alone, and an artist read rebuilds it with companions of the new epoch).
// Returns 0 when the build lost its marker (the staging keys are deleted), 1 when stored.
const FINISH_BUILD = `${COMMON}
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  return 0
end
local k = KEYS[5]
local ak, sk = companions(k)
redis.call('DEL', k, ak, sk, KEYS[1])
local staged = { { KEYS[2], k } }
if epoch == ARGV[4] then
  staged[2] = { KEYS[3], ak }
  staged[3] = { KEYS[4], sk }
else
  redis.call('DEL', KEYS[3], KEYS[4])
end
for _, m in ipairs(staged) do
  redis.call('ZADD', m[1], 'inf', '')
  redis.call('RENAME', m[1], m[2])
  redis.call('PEXPIRE', m[2], ARGV[3])
end
return 1
`;

// Lua shared by the reads. ARGV: prefix, ttl ms, offset, limit (-1: all), artists (0|1), then the script's own.
const READING = `${COMMON}
local ttl, offset, limit, artists = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
-- a set is usable when it exists, and for artists when its companions of this epoch do too;
-- one from before the epoch is dropped and made again with them
local function usable(k)
  if redis.call('EXISTS', k) == 0 then return false end
  if not artists then return true end
  local ak, sk = companions(k)
  if redis.call('EXISTS', ak, sk) == 2 then return true end
  redis.call('DEL', k, ak, sk)
  return false
end
-- a window read keeps it (and its companions) alive for another ttl, and the registries that name it for 2 ttl:
-- the registry outlives every window it names, so no window misses an increment
local function keep(wk, regs)
  local ak, sk = companions(wk)
  redis.call('PEXPIRE', wk, ttl)
  redis.call('PEXPIRE', ak, ttl)
  redis.call('PEXPIRE', sk, ttl)
  for _, s in ipairs(regs) do redis.call('PEXPIRE', p .. 'r:' .. s, 2 * ttl) end
end
-- rows offset..offset+limit-1 of a usable window and its exact total (plus, for artists, each artist's distinct tracks)
local function rank(wk)
  local stop = limit < 0 and -1 or offset + limit - 1
  if not artists then return { 'ok', redis.call('ZCARD', wk) - 1, redis.call('ZRANGE', wk, offset, stop, 'WITHSCORES') } end
  local ak, sk = companions(wk)
  local rows = redis.call('ZRANGE', ak, offset, stop, 'WITHSCORES')
  local tracks = {}
  for r = 1, #rows, 2 do
    if rows[r] ~= '' then
      local id = redis.call('HGET', p .. 'ai', string.sub(rows[r], 2))
      tracks[#tracks + 1] = redis.call('ZCOUNT', sk, id, id)
    end
  end
  return { 'ok', redis.call('ZCARD', ak) - 1, rows, tracks }
end
`;

// The read of a window that exists — kept equal to the counters by the increments, so none of the
// sets it was made from is needed: one ZRANGE and ZCARD. The idle lifetimes are renewed once half of
// the window's has passed, not on every read (a friends window names 50 registries): then the script
// asks for the scopes whose registries name the window ({ 'renew' }) and is called again with them.
// ARGV: the reads' five, window key[, scopes…]. Returns { 'absent' } when there is no usable window.
const READ_WINDOW = `${READING}
local wk = ARGV[6]
if not usable(wk) then return { 'absent' } end
if redis.call('PTTL', wk) < ttl / 2 then
  if #ARGV < 7 then return { 'renew' } end
  local regs = {}
  for j = 7, #ARGV do regs[#regs + 1] = ARGV[j] end
  keep(wk, regs)
end
return rank(wk)
`;

// The read that makes missing windows from their sources. ARGV: the reads' five, number of windows,
// then per window: key, from, to, n sources, sources…, n registries, scopes…; the last window is ranked.
const READ = `${READING}
local nw = tonumber(ARGV[6])
local i = 7
local missing = {}
local wk
for w = 1, nw do
  wk = ARGV[i]
  local from, to, ns = ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  local src = {}
  for j = 1, ns do src[j] = ARGV[i + 3 + j] end
  local nr = tonumber(ARGV[i + 4 + ns])
  local regs = {}
  for j = 1, nr do regs[j] = ARGV[i + 4 + ns + j] end
  i = i + 5 + ns + nr
  if not usable(wk) then
    local ok = true
    for _, k in ipairs(src) do
      if not usable(k) then
        ok = false
        -- a missing window source waits for its own days, reported by its own window
        if string.sub(k, 1, #p + 2) == p .. 'd:' then missing[#missing + 1] = k end
      end
    end
    if ok then
      redis.call('ZUNIONSTORE', wk, #src, unpack(src))
      if artists then
        local ak, sk = companions(wk)
        local plays, songs = { ak, #src }, { sk, #src }
        for _, k in ipairs(src) do plays[#plays + 1], songs[#songs + 1] = companions(k) end
        songs[#songs + 1] = 'AGGREGATE'
        songs[#songs + 1] = 'MIN'
        redis.call('ZUNIONSTORE', unpack(plays))
        redis.call('ZUNIONSTORE', unpack(songs))
      end
      for _, s in ipairs(regs) do redis.call('SADD', p .. 'r:' .. s, wk .. '\t' .. from .. '\t' .. to) end
    end
  end
  if #missing == 0 then keep(wk, regs) end
end
if #missing > 0 then return { 'missing', missing } end
return rank(wk)
`;

export interface Script {
  text: string;
  sha: string;
}
const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') });
export const SCRIPTS = { increment: script(INCREMENT), drop: script(DROP), begin: script(BEGIN_BUILD), stage: script(STAGE_BUILD), rankArtists: script(RANK_ARTISTS), finish: script(FINISH_BUILD), read: script(READ), readWindow: script(READ_WINDOW) };
