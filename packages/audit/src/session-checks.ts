/**
 * The checks of the session's life: the ID's entropy and uniqueness (ASVS
 * 5.0 V7.2.3), fixation (V7.2.4), logout (V7.4.1, V14.3.2), CSRF posture
 * (V3.5.1) and the timeouts (V7.3.1, V7.3.2). Pure functions of the observations.
 */

import { formatSeconds, type Check, type Finding } from './cookie-checks.js';
import { estimateEntropy, repeatedIds } from './id-entropy.js';
import type { CheckId, Observations, TimeoutProbe } from './observations.js';

/** ASVS 5.0 V7.2.3: at least 128 bits. */
export const MIN_ENTROPY_BITS = 128;

const skipped = (o: Observations, id: CheckId, fallback: string): Finding => ({
  status: 'n/a',
  message: o.skipped[id] ?? fallback,
});

export const idEntropy: Check = (o) => {
  const names = Object.keys(o.idSamples);
  if (names.length === 0) return skipped(o, 'id-entropy', 'no session ID samples');
  let bits = 0;
  const parts: string[] = [];
  for (const name of names) {
    const e = estimateEntropy(o.idSamples[name] ?? []);
    if (e.sequential)
      return {
        status: 'fail',
        message: `${name}: the IDs count up (${e.samples} logins, each a small step from the last): anyone can guess the next one`,
      };
    bits += e.bits;
    parts.push(
      `${name}: ${e.varyingPositions} of ${e.length} characters vary over ${e.alphabet.name}` +
        (e.sharedPrefix > 0 ? `, ${e.sharedPrefix} shared by every sample` : '') +
        (e.fewSamples
          ? '; too few samples to tell fixed positions from chance, so all were counted'
          : ''),
    );
  }
  const samples = o.idSamples[names[0]!]!.length;
  const message = `at most ${bits} bits over ${samples} logins (${parts.join('; ')})`;
  return bits >= MIN_ENTROPY_BITS
    ? { status: 'pass', message }
    : { status: 'fail', message: `${message}: below ${MIN_ENTROPY_BITS}` };
};

export const idRepeat: Check = (o) => {
  const names = Object.keys(o.idSamples);
  if (names.length === 0) return skipped(o, 'id-repeat', 'no session ID samples');
  for (const name of names) {
    const samples = o.idSamples[name] ?? [];
    const repeats = repeatedIds(samples);
    if (repeats.length > 0)
      return {
        status: 'fail',
        message: `${name}: ${repeats.length} ID(s) issued to more than one of ${samples.length} logins`,
      };
  }
  return {
    status: 'pass',
    message: `${o.idSamples[names[0]!]!.length} logins, ${o.idSamples[names[0]!]!.length} distinct IDs`,
  };
};

const VECTOR_TEXT = {
  'issued-before-login': 'the ID the app set before login is still the session after it',
  'chosen-by-attacker': 'an ID the app never issued, planted before login, became the session',
  're-authentication': 'a second login kept the signed-in session ID instead of issuing a new one',
} as const;

export const fixation: Check = (o) => {
  if (o.fixation.length === 0) return skipped(o, 'fixation', 'no login was probed');
  const kept = o.fixation.filter((p) => p.kept);
  if (kept.length > 0)
    return { status: 'fail', message: kept.map((p) => VECTOR_TEXT[p.vector]).join('; ') };
  return {
    status: 'pass',
    message: `a new ID after login (tried: ${o.fixation.map((p) => p.vector).join(', ')})`,
  };
};

export const logoutServerSide: Check = (o) => {
  if (!o.logout) return skipped(o, 'logout-server-side', 'no --logout URL given');
  const { replayStatus } = o.logout;
  return replayStatus >= 200 && replayStatus < 300
    ? {
        status: 'fail',
        message: `the cookie from before logout still works afterwards (protected URL: ${replayStatus}): logout only cleared it in the browser`,
      }
    : {
        status: 'pass',
        message: `the cookie from before logout is refused afterwards (${replayStatus})`,
      };
};

export const logoutNoStore: Check = (o) => {
  if (!o.logout) return skipped(o, 'logout-no-store', 'no --logout URL given');
  const cc = o.logout.cacheControl;
  return cc !== null && /(^|[\s,])no-store($|[\s,;=])/i.test(cc)
    ? { status: 'pass', message: `logout answers Cache-Control: ${cc}` }
    : {
        status: 'fail',
        message:
          cc === null ? 'logout sends no Cache-Control' : `logout sends Cache-Control: ${cc}`,
      };
};

export const csrfOrigin: Check = (o) => {
  if (!o.csrf) return skipped(o, 'csrf-origin', 'no state-changing request was probed');
  const { via, status, tookEffect } = o.csrf;
  const what = via === 'logout' ? 'a logout' : 'a login';
  if (status < 400 || tookEffect)
    return {
      status: 'fail',
      message: `${what} from a foreign Origin was accepted (${status})${tookEffect ? ' and took effect' : ''}`,
    };
  return { status: 'pass', message: `${what} from a foreign Origin was refused (${status})` };
};

function timeout(
  o: Observations,
  id: CheckId,
  probe: TimeoutProbe | undefined,
  kind: string,
): Finding {
  if (!probe) return skipped(o, id, `no claimed ${kind} timeout given`);
  const claimed = formatSeconds(Math.round(probe.claimedMs / 1000));
  const tol = formatSeconds(Math.round(probe.toleranceMs / 1000));
  if (!probe.aliveBefore)
    return {
      status: 'fail',
      message: `the session ended ${
        probe.endedAfterMs === undefined
          ? ''
          : formatSeconds(Math.round(probe.endedAfterMs / 1000)) + ' after login, '
      }before the claimed ${kind} timeout of ${claimed} (less ${tol})`,
    };
  if (probe.aliveAfter)
    return {
      status: 'fail',
      message: `the session still worked past the claimed ${kind} timeout of ${claimed} (plus ${tol})`,
    };
  return {
    status: 'pass',
    message: `enforced at ${claimed} (± ${tol}, by ${probe.method === 'clock-hook' ? 'the clock hook' : 'waiting'})`,
  };
}

export const idleTimeout: Check = (o) => timeout(o, 'idle-timeout', o.idleTimeout, 'idle');
export const absoluteTimeout: Check = (o) =>
  timeout(o, 'absolute-timeout', o.absoluteTimeout, 'absolute');
