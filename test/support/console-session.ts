// Signing in to the operator console over HTTP as a browser does: the sign-in form sets a
// login cookie and carries its CSRF token; posting both with the admin token opens a session.
import assert from 'node:assert/strict';

/** Cookies a response sets, as `name=value` pairs. */
function setCookies(res: Response): Map<string, string> {
  return new Map(res.headers.getSetCookie().map((c) => c.split(';')[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

/** Signs in and answers the `Cookie` header value of the session. */
export async function consoleSession(baseUrl: string, token: string): Promise<string> {
  const form = await fetch(`${baseUrl}/admin`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  assert.ok(csrf, 'the sign-in form has a CSRF field');
  const login = setCookies(form).get('wirefeed_login');
  const res = await fetch(`${baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `wirefeed_login=${login}` },
    body: new URLSearchParams({ _csrf: csrf, token }).toString(),
  });
  assert.equal(res.status, 303, 'signed in');
  return `wirefeed_admin=${setCookies(res).get('wirefeed_admin')}`;
}
