// Charts of the coordination pages, rendered on the server: plain, accessible SVG (role=img with a text
// alternative), no client script.
export interface ChartBar {
  label: string;
  count: number;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A bar chart of counts (e.g. cases opened per month). */
export function barChartSvg(bars: readonly ChartBar[], title: string): string {
  const width = 640;
  const height = 200;
  const pad = { top: 16, right: 8, bottom: 36, left: 32 };
  const max = Math.max(1, ...bars.map((b) => b.count));
  const slot = (width - pad.left - pad.right) / Math.max(1, bars.length);
  const scale = (height - pad.top - pad.bottom) / max;
  const parts = bars.map((b, i) => {
    const h = b.count * scale;
    const x = pad.left + i * slot + slot * 0.15;
    const y = height - pad.bottom - h;
    return (
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#00507a"><title>${esc(b.label)}: ${b.count}</title></rect>` +
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="11" text-anchor="middle">${b.count}</text>` +
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${height - pad.bottom + 14}" font-size="11" text-anchor="middle">${esc(b.label)}</text>`
    );
  });
  const summary = bars.map((b) => `${b.label}: ${b.count}`).join(', ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${title}. ${summary}`)}" class="chart">` +
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#4a5560"/>` +
    parts.join('') +
    '</svg>'
  );
}

export interface NeedSeries {
  label: string;
  /** Need per rating point: 0 none, 1 low, 2 high; null = not rated then. */
  values: (number | null)[];
}

const NEED_WORDS = ['kein', 'gering', 'hoch'];

/**
 * Need per life area over the rating points (case page, issue 16): one small panel per area (small multiples), each
 * with its three levels written out and every rated point marked with its level's word — readable without colour,
 * and the page shows the same values as a table.
 */
export function needTrendSvg(series: readonly NeedSeries[], pointLabels: readonly string[], title: string): string {
  const panelW = 200;
  const panelH = 92;
  const cols = 3;
  const pad = { left: 44, right: 10, top: 20, bottom: 18 };
  const rows = Math.ceil(series.length / cols);
  const width = panelW * cols;
  const height = panelH * rows;
  const n = Math.max(1, pointLabels.length);
  const plotW = panelW - pad.left - pad.right;
  const plotH = panelH - pad.top - pad.bottom;
  const xOf = (i: number) => pad.left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const yOf = (v: number) => pad.top + plotH - (v * plotH) / 2;
  const panels = series.map((s, k) => {
    const ox = (k % cols) * panelW;
    const oy = Math.floor(k / cols) * panelH;
    const grid = [0, 1, 2]
      .map(
        (v) =>
          `<line x1="${pad.left}" y1="${yOf(v)}" x2="${panelW - pad.right}" y2="${yOf(v)}" stroke="#c4cad0" stroke-dasharray="2 3"/>` +
          `<text x="${pad.left - 4}" y="${yOf(v) + 3}" font-size="9" text-anchor="end">${NEED_WORDS[v]}</text>`,
      )
      .join('');
    const points = s.values.map((v, i) => (v === null ? null : { x: xOf(i), y: yOf(v), v, i }));
    const rated = points.filter((p): p is NonNullable<typeof p> => p !== null);
    const line = rated.length > 1 ? `<polyline fill="none" stroke="#1b1f23" stroke-width="1.5" points="${rated.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}"/>` : '';
    const marks = rated
      .map((p) => `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="3.5" fill="#1b1f23"><title>${esc(`${s.label}, ${pointLabels[p.i]}: ${NEED_WORDS[p.v]}`)}</title></circle>`)
      .join('');
    const axis = pointLabels.length <= 6 ? pointLabels.map((l, i) => `<text x="${xOf(i).toFixed(1)}" y="${panelH - 4}" font-size="8" text-anchor="middle">${esc(l)}</text>`).join('') : '';
    return `<g transform="translate(${ox},${oy})"><text x="4" y="12" font-size="11" font-weight="bold">${esc(s.label)}</text>${grid}${line}${marks}${axis}</g>`;
  });
  const summary = series
    .map((s) => `${s.label}: ${s.values.map((v) => (v === null ? '–' : NEED_WORDS[v])).join(' → ')}`)
    .join('; ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${title}. ${summary}`)}" class="chart chart--needs">` +
    panels.join('') +
    '</svg>'
  );
}

/** A horizontal bar chart of counts with long labels (Lenkungsgruppe report); the page shows the same in a table. */
export function horizontalBarChartSvg(bars: readonly ChartBar[], title: string): string {
  const width = 640;
  const rowH = 22;
  const labelW = 260;
  const height = Math.max(1, bars.length) * rowH + 8;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const scale = (width - labelW - 48) / max;
  const parts = bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = b.count * scale;
    return (
      `<text x="${labelW - 6}" y="${y + 15}" font-size="11" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="#00507a"><title>${esc(b.label)}: ${b.count}</title></rect>` +
      `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 15}" font-size="11">${b.count}</text>`
    );
  });
  const summary = bars.map((b) => `${b.label}: ${b.count}`).join(', ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${title}. ${summary}`)}" class="chart">` +
    `<line x1="${labelW}" y1="0" x2="${labelW}" y2="${height}" stroke="#4a5560"/>` +
    parts.join('') +
    '</svg>'
  );
}
