// The sign-in page: one password field for the admin token.
import { csrfField, html, plainPage } from './html.js';

export function loginPage(opts: { loginCsrf: string; error?: string; notice?: string }): string {
  const body = html`<div class="login"><h1>Sign in</h1>
${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
<form method="post" action="/admin/login">${csrfField(opts.loginCsrf)}
<label for="token">Admin token <span class="hint">(WIREFEED_ADMIN_TOKEN, or the file admin-token in the data directory)</span></label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<p><button type="submit">Sign in</button></p></form></div>`;
  return plainPage('Sign in', body);
}
