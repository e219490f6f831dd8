// Items ingested per hour as an inline SVG bar chart: no script, no external asset; the numbers
// are in the accessible description and in each bar's tooltip.
import type { HourlyIngest } from '../../services/console.js';
import { html, type Html } from './html.js';

const W = 720;
const H = 180;
const PAD = { left: 40, right: 8, top: 10, bottom: 24 };

function niceMax(n: number): number {
  // Even maxima keep the middle gridline a whole number.
  if (n <= 4) return 4;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 4, 10].map((m) => m * p).find((m) => m >= n)!;
}

export function ingestChart(hours: HourlyIngest[]): Html {
  const max = niceMax(Math.max(0, ...hours.map((h) => h.itemsNew + h.itemsUpdated)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, hours.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const totalNew = hours.reduce((n, h) => n + h.itemsNew, 0);
  const totalUpd = hours.reduce((n, h) => n + h.itemsUpdated, 0);
  const bars = hours.map((h, i) => {
    const x = PAD.left + i * slot + slot * 0.15;
    const w = slot * 0.7;
    const label = `${h.hour.slice(11, 13)}:00 UTC: ${h.itemsNew} new, ${h.itemsUpdated} updated, ${h.fetches} fetches, ${h.errors} errors`;
    const newTop = y(h.itemsNew);
    const updTop = y(h.itemsNew + h.itemsUpdated);
    return html`<g><title>${label}</title><rect class="bar" x="${x.toFixed(1)}" y="${newTop.toFixed(1)}" width="${w.toFixed(1)}" height="${(PAD.top + plotH - newTop).toFixed(1)}"></rect><rect class="bar-upd" x="${x.toFixed(1)}" y="${updTop.toFixed(1)}" width="${w.toFixed(1)}" height="${(newTop - updTop).toFixed(1)}"></rect></g>`;
  });
  const ticks = [0, max / 2, max].map((v) => html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"></line><text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`);
  const labels = hours
    .map((h, i) => (i % 3 === 0 ? html`<text x="${(PAD.left + i * slot + slot / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle">${h.hour.slice(11, 13)}h</text>` : html``));
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc">
<title id="chart-title">Items ingested per hour, last 24 hours</title>
<desc id="chart-desc">${totalNew} new and ${totalUpd} updated items in 24 hours; dark bars new, light bars updated.</desc>
${ticks}${bars}${labels}</svg>`;
}
