/**
 * The Lua scripts of RedisPresence. Each runs atomically in Redis, which is what makes `first`,
 * `last` and the sweep's reports exactly-once across gateways.
 *
 * Keys, under the prefix P (ARGV[1] of every script):
 *   P conns:<user>      hash connectionId → gatewayId: the user's connections, on every gateway
 *   P gw-live:<gw>      present while the gateway lives (PX ttl, refreshed by touch)
 *   P gw-users:<gw>     set of users with at least one connection recorded on the gateway
 *   P gateways          set of gateways that have state (so that sweep can find the dead ones)
 *   P seen:<user>       last seen, ms since the epoch (PX: a long TTL bounds memory)
 * A connection counts only while its gateway's gw-live key exists. The scripts build key names
 * from the prefix, so they target one Redis (or a primary with replicas), not Redis Cluster.
 */

/** Shared by every script: liveness of gateways, looked up once per script run. */
const COMMON = `
local P = ARGV[1]
local live_cache = {}
local function is_live(gw)
  local v = live_cache[gw]
  if v == nil then
    v = redis.call('EXISTS', P .. 'gw-live:' .. gw) == 1
    live_cache[gw] = v
  end
  return v
end
local function any_live(user)
  local gws = redis.call('HVALS', P .. 'conns:' .. user)
  for i = 1, #gws do
    if is_live(gws[i]) then return true end
  end
  return false
end
`;

/** ARGV: P, user, connectionId, gateway, ttlMs → 1 when this is the user's first live one. */
export const CONNECT = `${COMMON}
local user, conn, gw, ttl = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local before = any_live(user)
-- A gateway that records a connection is running, even before its first touch. If it was not
-- live (its TTL ran out, or Redis restarted empty), its next touch reports it lost, so that its
-- other connections are recorded again (their clients reconnect).
if redis.call('SET', P .. 'gw-live:' .. gw, '1', 'PX', ttl, 'NX') then
  redis.call('SET', P .. 'gw-relived:' .. gw, '1', 'PX', ttl)
end
redis.call('HSET', P .. 'conns:' .. user, conn, gw)
redis.call('SADD', P .. 'gw-users:' .. gw, user)
redis.call('SADD', P .. 'gateways', gw)
if before then return 0 end
return 1
`;

/** ARGV: P, user, connectionId, at, seenTtlMs → 1 when this left the user with no live one. */
export const DISCONNECT = `${COMMON}
local user, conn, at, seen_ttl = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = P .. 'conns:' .. user
local gw = redis.call('HGET', key, conn)
if not gw then return 0 end
local before = any_live(user)
redis.call('HDEL', key, conn)
local after, still_on_gw = false, false
local gws = redis.call('HVALS', key)
for i = 1, #gws do
  if gws[i] == gw then still_on_gw = true end
  if is_live(gws[i]) then after = true end
end
-- Keep the gateway's user set exact, so that a sweep of it visits only its users.
if not still_on_gw then redis.call('SREM', P .. 'gw-users:' .. gw, user) end
if before and not after then
  redis.call('SET', P .. 'seen:' .. user, at, 'PX', seen_ttl)
  return 1
end
return 0
`;

/** ARGV: P, users... → per user {online 0|1, lastSeen or nil}. */
export const STATUS = `${COMMON}
local out = {}
for i = 2, #ARGV do
  local user = ARGV[i]
  if any_live(user) then
    out[#out + 1] = {1}
  else
    out[#out + 1] = {0, redis.call('GET', P .. 'seen:' .. user)}
  end
end
return out
`;

/** ARGV: P, user → the user's connection ids on live gateways. */
export const CONNECTIONS = `${COMMON}
local flat = redis.call('HGETALL', P .. 'conns:' .. ARGV[2])
local out = {}
for i = 1, #flat, 2 do
  if is_live(flat[i + 1]) then out[#out + 1] = flat[i] end
end
return out
`;

/** ARGV: P, users... → per user the distinct live gateways holding their connections. */
export const GATEWAYS_OF = `${COMMON}
local out = {}
for i = 2, #ARGV do
  local seen, gws = {}, {}
  local all = redis.call('HVALS', P .. 'conns:' .. ARGV[i])
  for j = 1, #all do
    local gw = all[j]
    if not seen[gw] and is_live(gw) then
      seen[gw] = true
      gws[#gws + 1] = gw
    end
  end
  out[#out + 1] = gws
end
return out
`;

/**
 * ARGV: P, at, seenTtlMs, budget → {more 0|1, {users reported}}.
 * Claims up to `budget` users of dead gateways with SPOP (a claimed user is gone from the set,
 * so a concurrent sweeper cannot claim them too), removes every connection of theirs on a dead
 * gateway, and reports those left with none live. Removing all of the dead ones at once is what
 * keeps a user on two dead gateways from being reported twice.
 */
export const SWEEP = `${COMMON}
local at, seen_ttl, budget = ARGV[2], ARGV[3], tonumber(ARGV[4])
local reported = {}
local gateways = redis.call('SMEMBERS', P .. 'gateways')
for _, gw in ipairs(gateways) do
  if not is_live(gw) then
    local users_key = P .. 'gw-users:' .. gw
    local users = redis.call('SPOP', users_key, budget)
    budget = budget - #users
    for _, user in ipairs(users) do
      local key = P .. 'conns:' .. user
      local flat = redis.call('HGETALL', key)
      local removed, live = 0, false
      for i = 1, #flat, 2 do
        local other = flat[i + 1]
        if is_live(other) then
          live = true
        else
          redis.call('HDEL', key, flat[i])
          removed = removed + 1
          if other ~= gw then redis.call('SREM', P .. 'gw-users:' .. other, user) end
        end
      end
      if removed > 0 and not live then
        redis.call('SET', P .. 'seen:' .. user, at, 'PX', seen_ttl)
        reported[#reported + 1] = user
      end
    end
    if redis.call('SCARD', users_key) == 0 then redis.call('SREM', P .. 'gateways', gw) end
    if budget <= 0 then return {1, reported} end
  end
end
return {0, reported}
`;
