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

const BEGIN_BUILD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`;

// KEYS: day set, build marker. ARGV: prefix, token, ttl ms, n, n × (song, artist) for songs the sets have
// not seen, then (song, plays)… Returns 0 when raced, the songs whose artist is unknown, or 1 when stored.
const COMMIT_BUILD = `${COMMON}
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
local na = tonumber(ARGV[4])
local j0 = 5 + 2 * na
for j = 5, j0 - 1, 2 do redis.call('HSETNX', p .. 'sa', ARGV[j], ARGV[j + 1]) end
local songs, plays, artist, missing = {}, {}, {}, {}
for j = j0, #ARGV, 2 do
  songs[#songs + 1] = ARGV[j]
  plays[#plays + 1] = tonumber(ARGV[j + 1])
end
for c = 1, #songs, 1000 do
  local chunk = {}
  for q = c, math.min(c + 999, #songs) do chunk[#chunk + 1] = songs[q] end
  local got = redis.call('HMGET', p .. 'sa', unpack(chunk))
  for q = 1, #chunk do
    if got[q] then artist[c + q - 1] = got[q] else missing[#missing + 1] = chunk[q] end
  end
end
if #missing > 0 then return missing end
local k = KEYS[1]
local ak, sk = companions(k)
redis.call('DEL', k, KEYS[2], ak, sk)
for _, key in ipairs({ k, ak, sk }) do redis.call('ZADD', key, 'inf', '') end
local sums = {}
local zs, za = {}, {}
local function flush(key, args)
  if #args > 0 then redis.call('ZADD', key, unpack(args)) end
  return {}
end
for q = 1, #songs do
  zs[#zs + 1] = -plays[q]
  zs[#zs + 1] = songs[q]
  za[#za + 1] = aid(artist[q])
  za[#za + 1] = songs[q]
  sums[artist[q]] = (sums[artist[q]] or 0) + plays[q]
  if #zs >= 2000 then zs = flush(k, zs); za = flush(sk, za) end
end
zs = flush(k, zs)
za = flush(sk, za)
local zr = {}
for a, n in pairs(sums) do
  zr[#zr + 1] = -n
  zr[#zr + 1] = '=' .. a
  if #zr >= 2000 then zr = flush(ak, zr) end
end
flush(ak, zr)
for _, key in ipairs({ k, ak, sk }) do redis.call('PEXPIRE', key, ARGV[3]) end
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
export const SCRIPTS = { increment: script(INCREMENT), drop: script(DROP), begin: script(BEGIN_BUILD), commit: script(COMMIT_BUILD), read: script(READ), readWindow: script(READ_WINDOW) };
