import { compactCount, fmtRate } from './stats';
import type { ThroughputSize } from './throughput';

/** A plain SVG line chart: rows/s against events (log scale), baseline and product. */
export function renderSvg(sizes: ThroughputSize[]): string {
  const w = 800;
  const h = 400;
  const pad = { left: 80, right: 250, top: 40, bottom: 60 };
  const xs = sizes.map((s) => Math.log10(s.events));
  const xMin = Math.min(...xs) - 0.15;
  const xMax = Math.max(...xs) + 0.15;
  const yMaxRaw = Math.max(...sizes.flatMap((s) => [s.baselineRowsPerSec, s.productRowsPerSec]));
  const step = niceStep(yMaxRaw / 5);
  const yMax = Math.ceil(yMaxRaw / step) * step;
  const px = (x: number) => pad.left + ((x - xMin) / (xMax - xMin || 1)) * (w - pad.left - pad.right);
  const py = (y: number) => h - pad.bottom - (y / yMax) * (h - pad.top - pad.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${w}" height="${h}" fill="white"/>`);
  parts.push(
    `<text x="${w / 2 - pad.right / 2 + pad.left / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">Export throughput against size</text>`,
  );
  for (let y = 0; y <= yMax + 1e-9; y += step) {
    parts.push(`<line x1="${pad.left}" x2="${w - pad.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${pad.left - 8}" y="${py(y) + 4}" text-anchor="end">${fmtRate(y)}</text>`);
  }
  for (const s of sizes) {
    const x = px(Math.log10(s.events));
    parts.push(`<line x1="${x}" x2="${x}" y1="${h - pad.bottom}" y2="${h - pad.bottom + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${h - pad.bottom + 20}" text-anchor="middle">${compactCount(s.events)}</text>`);
  }
  parts.push(`<line x1="${pad.left}" x2="${w - pad.right}" y1="${h - pad.bottom}" y2="${h - pad.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${h - pad.bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(pad.left + w - pad.right) / 2}" y="${h - 15}" text-anchor="middle">events in the export (log scale)</text>`);
  parts.push(`<text transform="translate(20 ${(pad.top + h - pad.bottom) / 2}) rotate(-90)" text-anchor="middle">rows per second (median)</text>`);
  const series = [
    { name: 'baseline: COPY → ZIP → S3', color: '#1f77b4', value: (s: ThroughputSize) => s.baselineRowsPerSec, dash: '' },
    { name: 'product: workflow on the worker', color: '#ff7f0e', value: (s: ThroughputSize) => s.productRowsPerSec, dash: ' stroke-dasharray="6 3"' },
  ];
  series.forEach((line, i) => {
    const points = sizes.map((s) => `${px(Math.log10(s.events)).toFixed(1)},${py(line.value(s)).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${line.color}" stroke-width="2.5"${line.dash} points="${points.join(' ')}"/>`);
    for (const s of sizes) parts.push(`<circle cx="${px(Math.log10(s.events)).toFixed(1)}" cy="${py(line.value(s)).toFixed(1)}" r="4" fill="${line.color}"/>`);
    const ly = pad.top + 10 + i * 22;
    parts.push(`<line x1="${w - pad.right + 15}" x2="${w - pad.right + 40}" y1="${ly}" y2="${ly}" stroke="${line.color}" stroke-width="2.5"${line.dash}/>`);
    parts.push(`<text x="${w - pad.right + 45}" y="${ly + 4}" font-size="11">${line.name}</text>`);
  });
  sizes.forEach((s, i) => {
    parts.push(`<text x="${w - pad.right + 15}" y="${pad.top + 70 + i * 18}" font-size="11">${compactCount(s.events)}: ratio ${s.ratio.toFixed(2)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  for (const f of [1, 2, 2.5, 5, 10]) if (raw <= f * magnitude) return f * magnitude;
  return 10 * magnitude;
}
