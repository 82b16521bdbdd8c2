/**
 * Per-request limits of the render API: how many series and points one request may touch and how
 * long it may run. Exceeding one is the client's request being too big, not a server fault, so the
 * answer names the limit and its setting instead of timing out or running the process out of memory.
 */

export interface RenderLimits {
  /** Series one request may fetch or produce (`render.maxSeries`). */
  maxSeries: number;
  /** Points one request may read or produce, summed over its series (`render.maxPoints`). */
  maxPoints: number;
  /** Wall-clock time one request may take, in milliseconds (`render.timeoutMs`). */
  timeoutMs: number;
}

export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = {
  maxSeries: 50_000,
  maxPoints: 100_000_000,
  timeoutMs: 30_000,
};

/** A request over one of the limits; `status` is the HTTP status to answer with. */
export class RequestLimitError extends Error {
  override readonly name = 'RequestLimitError';

  constructor(
    message: string,
    readonly status: 422 | 503,
    /** The setting that was exceeded, e.g. `render.maxSeries`. */
    readonly limit: string,
  ) {
    super(message);
  }
}

/** Throws (422) when a request matched more series than `limits.maxSeries`. */
export function checkSeriesLimit(count: number, limits: Readonly<RenderLimits>): void {
  if (count > limits.maxSeries) {
    throw new RequestLimitError(
      `too many series: ${count} matched, the limit is ${limits.maxSeries} (render.maxSeries)`,
      422,
      'render.maxSeries',
    );
  }
}

/** Throws (422) when a request would read or produce more points than `limits.maxPoints`. */
export function checkPointsLimit(count: number, limits: Readonly<RenderLimits>): void {
  if (count > limits.maxPoints) {
    throw new RequestLimitError(
      `too many points: ${count} requested, the limit is ${limits.maxPoints} (render.maxPoints)`,
      422,
      'render.maxPoints',
    );
  }
}

/**
 * Settles with `work`, or rejects (503) once `limits.timeoutMs` has passed. The work itself is not
 * cancelled (it holds no locks); the client just stops waiting for it.
 */
export async function withTimeLimit<T>(work: Promise<T>, limits: Readonly<RenderLimits>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RequestLimitError(
            `request took longer than ${limits.timeoutMs} ms, the limit (render.timeoutMs)`,
            503,
            'render.timeoutMs',
          ),
        ),
      limits.timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Limits given in part, completed with the defaults. */
export function resolveRenderLimits(limits: Partial<RenderLimits> | undefined): RenderLimits {
  return { ...DEFAULT_RENDER_LIMITS, ...limits };
}
