/**
 * One sentence from the field per idea the playground shows, so the demo
 * teaches as it shows. Sources: the OWASP Session Management Cheat Sheet,
 * OWASP ASVS 5.0 chapter V7, RFC 9700 (OAuth 2.0 security BCP).
 */

export const EXPLAIN = {
  idle: 'The idle timeout ends a session nobody is using, such as an unattended screen; every request pushes it back. (OWASP Session Management Cheat Sheet)',
  absolute:
    'The absolute cap ends every session at a fixed time however busy it is, so a stolen cookie is not worth something forever. (ASVS V7.3.2)',
  idleVsAbsolute:
    'They differ because they stop different attacks: idle stops the person who walks up to a left-open screen, absolute stops the thief who keeps a stolen session busy.',
  renewal:
    'The session ID changes at login and periodically after, so a planted or leaked ID goes stale (session fixation; ASVS V7.2.4).',
  rememberMe:
    'Remember-me is a separate token, not a longer session: the session stays short, and the device token, used only once the session is gone, rotates on every use so a copy is caught when both are used.',
  logout:
    'Logout ends the session on the server, not just in the browser: a copied cookie is worthless afterwards. (ASVS V7.4.1)',
  devices:
    'People can see where they are signed in and end any of those sessions, or all of them at once. (ASVS V7.5.2, V7.4.2)',
  stepUp:
    'A sensitive action asks for the password again when the last sign-in is older than the policy allows, even inside a live session. (ASVS V7.5.3)',
  passkey:
    'A passkey is a key pair your device keeps: signing in with it proves this device and, with a PIN or fingerprint, you; the browser binds it to this site, so it cannot be phished. (W3C WebAuthn Level 3)',
  passkeyStepUp:
    'It asks for your passkey first (your device signs a one-time challenge bound to this session and to this transfer), and offers the password if the passkey is not at hand.',
  passwordStepUp:
    'You have no passkey yet, so it asks for your password; add a passkey on the dashboard and it will ask for that instead.',
  refreshReuse:
    'A refresh token rotates on every use; when a used one comes back, the client or a thief holds a copy and the server cannot tell which, so it ends the whole family. (RFC 9700 §4.14.2)',
  accessTokens:
    'Access tokens are short-lived and kept in memory only; the refresh token sits in an HttpOnly cookie scripts cannot read, sent only to the refresh route.',
} as const;
