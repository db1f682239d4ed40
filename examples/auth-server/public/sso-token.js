// Landing page of the ECE-style redirect: `/sso/token#<token>?state=<url-encoded login_state>`.
// The token arrives in the fragment (never sent to a server or a Referer); this page shows what it carries and
// clears it from the address bar. A real console would keep it in memory and send it as a Bearer token.
const $ = (id) => document.getElementById(id);

function fail(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function decodePayload(token) {
  const part = token.split('.')[1];
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json);
}

const raw = location.hash.slice(1);
history.replaceState(null, '', location.pathname);
const [token, query = ''] = raw.split('?');
if (!token) {
  fail('No session token was received. Sign in again.');
} else {
  try {
    const claims = decodePayload(token);
    const state = JSON.parse(new URLSearchParams(query).get('state') ?? '{}');
    $('subject').textContent = claims.username ?? claims.sub;
    $('expires').textContent = new Date(claims.exp * 1000).toLocaleString();
    // Only same-origin paths: the server already refused anything else, this is belt and braces.
    const target = new URL(typeof state.path === 'string' ? state.path : '/', location.origin);
    const link = $('continue');
    if (target.origin === location.origin) {
      link.href = target.pathname + target.search;
      link.textContent = target.pathname + target.search;
    }
    $('session').hidden = false;
    $('session-heading').focus();
  } catch {
    fail('The session token could not be read. Sign in again.');
  }
}
