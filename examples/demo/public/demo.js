// The playground's live parts: countdowns on the demo clock, the preset and clock controls, the
// event log, revoking devices, and the transfer with step-up. Calls go through @latchkey/client,
// which sends the person to sign in (with the way back) when the session is gone.
import { createClient, passkeyStepUp, registerPasskey } from '/client.js';

const $ = (selector) => document.querySelector(selector);
const panel = $('#playground');
let clockBase = panel ? Number(panel.dataset.now) : Date.now();
let realBase = Date.now();
const demoNow = () => clockBase + (Date.now() - realBase);

let stepUpWaiter = null;
/** The password prompt: shown on the page; resolves once the person confirmed (or the passkey was not at hand). */
const askForPassword = () =>
  new Promise((resolve) => {
    const form = $('#step-up');
    if (!form) return resolve(false);
    form.hidden = false;
    $('#step-up-password').focus();
    stepUpWaiter = resolve;
  });
const client = createClient({
  logoutPath: '/logout',
  // 403 step_up_required: the passkey when the person has one (the server answers 404 to the
  // options otherwise), else or on failure the password prompt; the request is retried once.
  onStepUp: passkeyStepUp({
    optionsPath: '/api/step-up/passkey/options',
    verifyPath: '/api/step-up/passkey',
    fallback: askForPassword,
  }),
});

const addPasskey = $('#add-passkey');
addPasskey?.addEventListener('click', async () => {
  const out = $('#passkey-result');
  out.textContent = 'waiting for your authenticator…';
  const ok = await registerPasskey({
    optionsPath: '/api/passkeys/register/options',
    verifyPath: '/api/passkeys/register',
  });
  if (ok) {
    const r = await fetch('/api/passkeys', { headers: { accept: 'application/json' } });
    $('#passkey-count').textContent = String((await r.json()).count);
  }
  out.textContent = ok ? 'Passkey added.' : 'No passkey was added.';
});

const json = (body) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: JSON.stringify(body),
});

function formatTime(ms) {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
function formatLeft(ms) {
  if (ms <= 0) return 'passed';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = d ? [`${d} d`, `${h} h`] : h ? [`${h} h`, `${m} min`] : [`${m} min`, `${s % 60} s`];
  return `in ${parts.join(' ')}`;
}

function renderTimes() {
  for (const el of document.querySelectorAll('time[data-at], #demo-now')) {
    if (el.id !== 'demo-now') el.textContent = formatTime(Number(el.dataset.at));
  }
  const now = $('#demo-now');
  if (now) now.textContent = formatTime(demoNow());
  for (const el of document.querySelectorAll('[data-deadline]')) {
    const deadline = Number(el.dataset.deadline);
    el.textContent = `${formatTime(deadline)} (${formatLeft(deadline - demoNow())})`;
    el.classList.toggle('passed', deadline <= demoNow());
  }
}
renderTimes();
setInterval(renderTimes, 1000);

/** After the clock moved: ask the server where this session stands (a touch, as any request is). */
async function recheck() {
  if (!$('#state')) return;
  const response = await fetch('/api/me', { headers: { accept: 'application/json' } });
  const note = $('#expired');
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    note.hidden = false;
    note.textContent = `The server now answers ${response.status} ${body.error ?? ''} (${body.reason ?? ''}): open any page to be sent to sign in.`;
    $('#state').classList.add('ended');
    return;
  }
  const me = await response.json();
  $('#handle').textContent = me.handle.slice(0, 16);
  $('#idle').dataset.deadline = me.idleExpiresAt;
  $('#absolute').dataset.deadline = me.absoluteExpiresAt;
  $('#via').textContent = me.viaRememberMe
    ? 'yes: signed back in silently by this device’s remember-me token'
    : 'no';
  $('#created').innerHTML = '';
  const created = document.createElement('time');
  created.dataset.at = me.createdAt;
  $('#created').append(created);
  renderTimes();
}

for (const form of document.querySelectorAll('form[data-enhance]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    if (event.submitter?.name) data[event.submitter.name] = event.submitter.value;
    const kind = form.dataset.enhance;
    if (kind === 'clock') {
      const r = await fetch('/__demo/clock', json({ advanceMs: Number(data.advanceMs) }));
      const clock = await r.json();
      clockBase = clock.now;
      realBase = Date.now();
      const hours = Math.floor(clock.offsetMs / 3600000);
      const minutes = Math.floor((clock.offsetMs % 3600000) / 60000);
      $('#demo-offset').textContent = `${hours} h ${minutes} min ahead of the real time`;
      renderTimes();
      await recheck();
    } else if (kind === 'policy') {
      await fetch('/api/policy', json({ preset: data.preset }));
      for (const b of form.querySelectorAll('button'))
        b.setAttribute('aria-pressed', String(b.value === data.preset));
      if (location.pathname === '/login') location.reload();
    } else if (kind === 'revoke') {
      const row = form.closest('tr');
      const r = await client.fetch(`/api/sessions/${encodeURIComponent(row.dataset.id)}`, {
        method: 'DELETE',
        headers: { accept: 'application/json' },
      });
      if (r.ok) {
        if (row.classList.contains('current')) location.assign('/login');
        else location.reload();
      }
    } else if (kind === 'transfer') {
      const out = $('#transfer-result');
      out.textContent = 'sending…';
      const r = await client.fetch('/api/transfer', json(data));
      const body = await r.json().catch(() => ({}));
      out.textContent = r.ok
        ? `Transferred ${body.amount} to ${body.to}.`
        : `Refused: ${r.status} ${body.error ?? ''}`;
    } else if (kind === 'step-up') {
      const r = await fetch('/api/step-up', json({ password: data.password }));
      if (r.ok) {
        form.hidden = true;
        form.reset();
        stepUpWaiter?.(true);
        stepUpWaiter = null;
      } else {
        $('#transfer-result').textContent = 'Wrong password.';
      }
    }
  });
}

// The session monitor's view: new events every second, newest first, and its counters.
const list = $('#events');
const counters = $('#monitor-counters');
let after = 0;
function describeCounters(c) {
  const w = c.window;
  const parts = [
    `${w.created ?? 0} created`,
    `${w.expired ?? 0} expired`,
    `${(w.logout ?? 0) + (w.revoked ?? 0) + (w['revoke-all'] ?? 0)} ended`,
    `${w['validation-failed'] ?? 0} unknown cookies`,
  ];
  return `Last ${Math.round(c.windowMs / 60000)} min: ${parts.join(', ')}. Active sessions: ${c.activeSessions}.`;
}
async function poll() {
  try {
    const r = await fetch(`/api/events?after=${after}`, {
      headers: { accept: 'application/json' },
    });
    const { events, anomalies, counters: c } = await r.json();
    if (counters && c)
      counters.textContent = `${describeCounters(c)} Anomalies: ${anomalies.length}.`;
    for (const e of events) {
      after = Math.max(after, e.id);
      const item = document.createElement('li');
      item.className = e.alarm ? 'alarm' : '';
      item.dataset.type = e.type;
      if (e.anomalies.length) item.dataset.anomaly = e.anomalies.join(' ');
      const when = document.createElement('time');
      when.textContent = new Date(e.at).toLocaleTimeString();
      const flags = e.anomalies.length ? ` [${e.anomalies.join(', ')}]` : '';
      item.append(when, ` ${e.userId ? e.userId + ': ' : ''}${e.text}${flags}`);
      list.prepend(item);
    }
    while (list.children.length > 60) list.lastElementChild.remove();
  } catch {
    // the server restarting: try again on the next tick
  }
}
if (list) {
  poll();
  setInterval(poll, 1000);
}
