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
