import { formatGraphiteDateTime } from '../query/graphite-time.js';
import type { RenderedSeries } from '../query/render.js';
import { formatPythonFloat } from './python-json.js';

/**
 * graphite-web's `format=csv`: one `name,YYYY-MM-DD HH:MM:SS,value` row per point (Excel dialect:
 * CRLF line ends, fields quoted only when needed), timestamps in `tz`, an empty value for null.
 */
export function* renderCsvPieces(series: readonly RenderedSeries[], tz: string): Generator<string> {
  for (const s of series) {
    const name = csvField(s.target);
    let out = '';
    for (let i = 0; i < s.values.length; i++) {
      const value = s.values[i];
      out += `${name},${formatGraphiteDateTime(s.start + i * s.step, tz)},${value !== value ? '' : formatPythonFloat(value)}\r\n`;
    }
    yield out;
  }
}

/** graphite-web's `format=raw`: `name,start,end,step|v1,v2,...` per series, `None` for null. */
export function* renderRawPieces(series: readonly RenderedSeries[]): Generator<string> {
  for (const s of series) {
    let out = `${s.target},${s.start},${s.end},${s.step}|`;
    for (let i = 0; i < s.values.length; i++) {
      const value = s.values[i];
      out += `${i === 0 ? '' : ','}${value !== value ? 'None' : formatPythonFloat(value)}`;
    }
    yield `${out}\n`;
  }
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
