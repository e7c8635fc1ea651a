/**
 * The Lua scripts behind `redisStore`'s atomic operations: each runs as one
 * unit inside Redis and touches a single key, so they also run on Redis Cluster.
 */

/** Scripts go by SHA-1 (`EVALSHA`), falling back to `EVAL` once per server when it does not know them yet. */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: Array<string | number>): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: Array<string | number>): Promise<unknown>;
}

const redisNow = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** One Lua script, run by SHA with a fallback to its text. */
export class Script {
  #sha: Promise<string> | undefined;
  constructor(readonly lua: string) {}

  async run(client: ScriptClient, key: string, ...args: Array<string | number>): Promise<unknown> {
    const sha = await (this.#sha ??= sha1Hex(this.lua));
    try {
      return await client.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return client.eval(this.lua, 1, key, ...args);
    }
  }
}

/** Read and delete in one step: of concurrent callers exactly one gets the value. (GETDEL needs Redis 6.2.) */
export const consumeScript = new Script(`local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value`);

/** ARGV: hasExpected ('1' or '0'), expected, value, ttl ms. Returns 1 when written. */
export const compareAndSetScript = new Script(`local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1`);

/**
 * ARGV: member, ttl ms. Scores are expiry times on Redis's clock; expired
 * members are pruned, and the set itself expires with its last member, so an
 * index never outlives its sessions (tj/connect-redis#251).
 */
export const indexAddScript = new Script(`${redisNow}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1`);

/** Unexpired members, pruning the expired ones. */
export const indexListScript = new Script(`${redisNow}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)`);

/** Unexpired members, then the whole index deleted. */
export const indexRemoveAllScript = new Script(`${redisNow}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local live = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return live`);
