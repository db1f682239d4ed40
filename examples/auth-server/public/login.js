// The hosted login page: email/password → MFA when needed → signed in; SSO; the console redirect flow's errors.
// Talks only to Gatehouse's own routes with `web: true`, so tokens live in HttpOnly cookies, never in this script.
const $ = (id) => document.getElementById(id);
const LOGIN = '/v1/auth/login';
let mfaTempToken = null;

function show(step) {
  for (const id of ['password-step', 'mfa-step', 'done-step']) $(id).hidden = id !== step;
}

function setError(message) {
  const el = $('error');
  el.textContent = message ?? '';
  el.hidden = !message;
  if (message) setStatus('');
}

function setStatus(message) {
  $('status').textContent = message ?? '';
}

async function post(body) {
  const res = await fetch(LOGIN, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ ...body, web: true }),
  });
  let data = {};
  try {
    data = await res.json();
  } catch {
    /* empty body */
  }
  return { ok: res.ok, status: res.status, data };
}

function explain(result) {
  const { status, data } = result;
  if (status === 429) return 'Too many attempts. Wait a few minutes and try again.';
  if (status >= 500) return 'The sign-in service is unavailable right now. Try again shortly.';
  if (data && typeof data.message === 'string' && data.message) return data.message;
  return 'Sign-in failed.';
}

function signedIn(data) {
  const user = data.user ?? {};
  $('user-name').textContent = user.title || user.name || '';
  $('user-email').textContent = user.email ?? '';
  $('user-mfa').textContent = user.mfaEnabled ? 'On' : 'Off';
  $('reset-password').hidden = !data.requireResetPassword;
  show('done-step');
  setStatus('Signed in.');
  $('done-heading').focus();
}

async function handle(result) {
  if (!result.ok) {
    setError(explain(result));
    return;
  }
  setError(null);
  if (result.data.mfaTempToken) {
    mfaTempToken = result.data.mfaTempToken;
    show('mfa-step');
    setStatus('Enter the code from your authenticator app.');
    $('otp-code').focus();
    return;
  }
  signedIn(result.data);
}

$('password-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  setStatus('Signing in…');
  const result = await post({ email: $('email').value.trim(), password: $('password').value });
  $('password').value = '';
  await handle(result);
});

$('mfa-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const otpCode = $('otp-code').value;
  const recoveryCode = $('recovery-code').value.trim();
  if (!otpCode.trim() && !recoveryCode) {
    setError('Enter a code from your authenticator app or a recovery code.');
    return;
  }
  setStatus('Verifying…');
  const result = await post(recoveryCode ? { mfaTempToken, recoveryCode } : { mfaTempToken, otpCode });
  $('otp-code').value = '';
  $('recovery-code').value = '';
  if (!result.ok && result.status === 401) {
    setError('That code is not valid. Try the current code from your app.');
    $('otp-code').focus();
    return;
  }
  await handle(result);
});

async function loadConfig() {
  const res = await fetch('/login/config.json', { credentials: 'same-origin' });
  if (!res.ok) return;
  const config = await res.json();
  $('demo-banner').hidden = !config.demo;
  const buttons = $('sso-buttons');
  for (const idp of config.idps ?? []) {
    const a = document.createElement('a');
    a.className = 'button secondary';
    a.href = `/login/sso/${encodeURIComponent(idp.id)}`;
    a.textContent = `Continue with ${idp.title}`;
    buttons.append(a);
  }
  $('sso').hidden = !(config.idps ?? []).length;
}

// Back from the IdP: the server checked `state` and put the code in the fragment (kept out of logs and Referer).
async function finishSso() {
  const params = new URLSearchParams(location.hash.slice(1));
  const code = params.get('code');
  const idpName = params.get('idp');
  if (!code || !idpName) return;
  history.replaceState(null, '', location.pathname);
  setStatus('Completing single sign-on…');
  const context = params.get('type') === 'oauth2' ? { oauth2Context: { code } } : { oidcContext: { code } };
  await handle(await post({ idpName, idpContext: context }));
}

function consoleError() {
  const message = new URLSearchParams(location.search).get('error');
  if (message) {
    setError(message);
    history.replaceState(null, '', location.pathname);
  }
}

consoleError();
loadConfig();
finishSso();
