// The console's HTML building blocks: a tagged template that escapes every interpolated value
// (only values already built with `html` pass through), the page shell with landmarks, and
// small shared pieces (times, badges, tables, forms with their CSRF field).
import { escapeHtml } from '../../html-escape.js';
import { httpUrl } from '../../publish/html.js';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | Part[];

function render(v: Part): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

export { httpUrl };

function absoluteTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400 * 2) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** "5 min ago" / "in 3 min", with the exact time in datetime and title. */
export function when(iso: string | undefined, now: Date): Html {
  if (!iso) return html`<span class="muted">never</span>`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return html`<span class="muted">?</span>`;
  const diff = t - now.getTime();
  const text = Math.abs(diff) < 5000 ? 'now' : diff < 0 ? `${duration(diff)} ago` : `in ${duration(diff)}`;
  return html`<time datetime="${iso}" title="${absoluteTime(iso)}">${text}</time>`;
}

export function badge(word: string): Html {
  return html`<span class="badge b-${word}">${word}</span>`;
}

export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}

/** A one-button POST form (pause, refresh now…): works without JavaScript. */
export function actionButton(action: string, label: string, csrf: string, opts: { danger?: boolean } = {}): Html {
  return html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}<button type="submit"${opts.danger ? new Html(' class="danger"') : ''}>${label}</button></form>`;
}

/** A horizontally scrollable table region (keyboard-focusable, so it can scroll without a mouse). */
export function tableRegion(label: string, table: Html): Html {
  return html`<div class="table-wrap" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
}

const STYLE = `
:root{color-scheme:light;--fg:#1b1b1b;--muted:#595959;--bg:#fff;--panel:#f6f7f9;--line:#d9dce1;--accent:#0b57d0;--ok:#146c2e;--ok-bg:#e6f4ea;--bad:#a50e0e;--bad-bg:#fce8e6;--warn:#6d4c00;--warn-bg:#fef3cd}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0}
a{color:var(--accent)}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:var(--bg);padding:.25rem .5rem;z-index:2}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1.25rem;background:#16213a;color:#fff}
header.top a{color:#fff;text-decoration:none}
header.top .brand{font-weight:700;font-size:1.1rem;letter-spacing:.02em}
header.top nav ul{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;margin:0;padding:0}
header.top nav a{display:block;padding:.3rem .7rem;border-radius:.35rem}
header.top nav a[aria-current=page],header.top nav a:hover{background:#2c3b5e}
header.top form{margin-left:auto}
header.top button{background:transparent;color:#fff;border:1px solid #8b97b3}
main{max-width:76rem;margin:0 auto;padding:1rem 1.25rem 2rem}
footer{max-width:76rem;margin:0 auto;padding:1rem 1.25rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:.75rem;margin:0 0 1rem;padding:0;list-style:none}
.card{background:var(--panel);border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem}
.card .n{font-size:1.8rem;font-weight:700;display:block;line-height:1.2}
.card a{text-decoration:none;color:inherit}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:1rem 2rem}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600;white-space:nowrap}
th a{color:inherit}
tr:last-child td{border-bottom:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.wrap{overflow-wrap:anywhere}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.b-ok,.b-usable,.b-active,.b-modified{background:var(--ok-bg);color:var(--ok)}
.b-failing,.b-error,.b-gone,.b-canceled,.b-revoked,.b-inactive{background:var(--bad-bg);color:var(--bad)}
.b-paused,.b-new,.b-retry-later,.b-withheld,.b-embargoed{background:var(--warn-bg);color:var(--warn)}
.b-not-modified{background:var(--panel);color:var(--muted)}
form.inline{display:inline}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0 1rem}
button,.button{font:inherit;padding:.35rem .9rem;border-radius:.35rem;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:var(--bg);color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.5rem 0 .2rem}
.hint{font-weight:400;color:var(--muted);font-size:.85rem}
input[type=text],input[type=url],input[type=search],input[type=password],input[type=number],input[type=datetime-local],select,textarea{font:inherit;width:100%;max-width:36rem;padding:.35rem .5rem;border:1px solid #8a8f98;border-radius:.35rem;background:var(--bg);color:inherit}
.checks{display:flex;flex-wrap:wrap;gap:.25rem 1rem}.checks label{font-weight:400;display:flex;gap:.35rem;align-items:center;margin:0}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0 0 .75rem}
.filters label{margin:0}.filters input,.filters select{width:auto}
.notice{background:var(--ok-bg);color:var(--ok);padding:.5rem .75rem;border-radius:.35rem;margin:0 0 1rem}
.error{background:var(--bad-bg);color:var(--bad);padding:.5rem .75rem;border-radius:.35rem;margin:0 0 1rem}
.secret{font:1rem ui-monospace,monospace;background:var(--warn-bg);padding:.5rem;border-radius:.35rem;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0 0 1rem}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
code,.mono{font-family:ui-monospace,monospace;font-size:.88em}
svg.chart{width:100%;height:auto;max-width:48rem;display:block}
.chart .bar{fill:#3b6fd4}.chart .bar-upd{fill:#9bb7ec}.chart text{fill:var(--muted);font-size:11px}.chart line{stroke:var(--line)}
.login{max-width:24rem;margin:4rem auto}
.body-preview{border:1px solid var(--line);border-radius:.5rem;padding:.5rem 1rem;max-height:24rem;overflow:auto}
.body-preview img{max-width:100%;height:auto}
@media (max-width:40rem){main{padding:.75rem}h1{font-size:1.35rem}header.top{padding:.5rem .75rem}header.top nav{order:3;width:100%}header.top nav a{padding:.25rem .5rem}.hide-narrow{display:none}}
`;

export type Section = 'overview' | 'sources' | 'channels' | 'articles' | 'partners' | 'push';

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'overview', href: '/admin', label: 'Overview' },
  { section: 'sources', href: '/admin/sources', label: 'Sources' },
  { section: 'channels', href: '/admin/channels', label: 'Channels' },
  { section: 'articles', href: '/admin/articles', label: 'Articles' },
  { section: 'partners', href: '/admin/partners', label: 'Partners' },
  { section: 'push', href: '/admin/push', label: 'Push' },
];

export interface PageContext {
  csrf: string;
  now: Date;
  version: string;
}

function shell(title: string, header: Html, body: Html, footer: Html): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} — wirefeed console</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${header.value}
<main id="main">
${body.value}
</main>
${footer.value}
</body>
</html>
`;
}

/** A signed-in page: navigation, sign-out, the content in <main>. */
export function page(ctx: PageContext, section: Section | undefined, title: string, body: Html): string {
  const nav = NAV.map((n) => html`<li><a href="${n.href}"${n.section === section ? new Html(' aria-current="page"') : ''}>${n.label}</a></li>`);
  const header = html`<header class="top"><a class="brand" href="/admin">wirefeed console</a>
<nav aria-label="Console"><ul>${nav}</ul></nav>
<form method="post" action="/admin/logout">${csrfField(ctx.csrf)}<button type="submit">Sign out</button></form></header>`;
  const footer = html`<footer>wirefeed ${ctx.version} · <a href="/">public index</a> · times in UTC</footer>`;
  return shell(title, header, body, footer);
}

/** A page shown signed out (the sign-in form, errors before sign-in). */
export function plainPage(title: string, body: Html): string {
  return shell(title, html`<header class="top"><span class="brand">wirefeed console</span></header>`, body, html`<footer><a href="/">public index</a></footer>`);
}
