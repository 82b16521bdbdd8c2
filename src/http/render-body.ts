import type { RenderedSeries } from '../query/render.js';
import { checkPointsLimit, checkSeriesLimit, type RenderLimits } from './limits.js';
import { renderJsonBytes, renderJsonPieces } from './render-json.js';
import { renderMsgpackPieces } from './render-msgpack.js';
import { renderPicklePieces, type SeriesInfo } from './render-pickle.js';
import type { RenderRequest } from './render-request.js';
import { renderCsvPieces, renderRawPieces } from './render-text.js';

/** What the body of a render answer depends on besides its series. */
export type BodyOptions = Pick<RenderRequest, 'format' | 'tz' | 'maxDataPoints' | 'noNullPoints' | 'jsonp'>;

/** A render answer's body: `whole` when small enough to build at once, else `pieces` built as they are pulled. */
export interface RenderBody {
  contentType: string;
  whole?: Uint8Array;
  pieces?: Iterator<Uint8Array>;
}

/** A JSON answer of up to this many points is written at once: it takes well under a few milliseconds. */
const ONE_PIECE_POINTS = 20_000;

/**
 * The body of a render answer in the requested format, once the answer is within the series and
 * points limits (a RequestLimitError otherwise). The same on the main thread and on a render worker,
 * so both give the same bytes.
 */
export function renderBody(series: readonly RenderedSeries[], options: BodyOptions, limits: Readonly<RenderLimits>): RenderBody {
  checkSeriesLimit(series.length, limits);
  let points = 0;
  for (const s of series) points += s.values.length;
  checkPointsLimit(points, limits);
  switch (options.format) {
    case 'pickle':
      return { contentType: 'application/pickle', pieces: renderPicklePieces(series.map(seriesInfo)) };
    case 'msgpack':
      return { contentType: 'application/x-msgpack', pieces: renderMsgpackPieces(series.map(seriesInfo)) };
    case 'csv':
      return { contentType: 'text/csv', pieces: utf8Pieces(renderCsvPieces(series, options.tz)) };
    case 'raw':
      return { contentType: 'text/plain', pieces: utf8Pieces(renderRawPieces(series)) };
    case 'json': {
      const contentType = options.jsonp === undefined ? 'application/json' : 'text/javascript';
      if (points <= ONE_PIECE_POINTS) return { contentType, whole: renderJsonBytes(series, options) };
      return { contentType, pieces: renderJsonPieces(series, options) };
    }
  }
}

function* utf8Pieces(pieces: Iterator<string>): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  for (let next = pieces.next(); !next.done; next = pieces.next()) yield encoder.encode(next.value);
}

/** graphite-web's getInfo() fields of a rendered series; fields the render layer does not set take graphite-web's defaults. */
function seriesInfo(s: RenderedSeries): SeriesInfo {
  return {
    name: s.target,
    pathExpression: s.pathExpression,
    start: s.start,
    end: s.end,
    step: s.step,
    values: s.values,
    valuesPerPoint: s.valuesPerPoint,
    consolidationFunc: s.consolidationFunc,
    xFilesFactor: s.xFilesFactor,
  };
}
