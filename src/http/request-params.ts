import { QueryError } from '../query/query-error.js';

/**
 * Request parameters as graphite-web sees them: the query string followed by a form body
 * (url-encoded, as Grafana posts it, or multipart). A repeated name keeps every value in order;
 * a single lookup takes the last one, like Django's QueryDict.
 */
export class RequestParams {
  private readonly entries: ReadonlyArray<readonly [string, string]>;

  constructor(entries: Iterable<readonly [string, string]>) {
    this.entries = [...entries];
  }

  has(name: string): boolean {
    return this.entries.some(([key]) => key === name);
  }

  /** The last value given for name. */
  get(name: string): string | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i][0] === name) return this.entries[i][1];
    }
    return undefined;
  }

  getAll(name: string): string[] {
    return this.entries.filter(([key]) => key === name).map(([, value]) => value);
  }
}

/** The multipart body's fields; a body that is not valid multipart is the client's error (400), not a 500. */
async function formData(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch (error) {
    throw new QueryError(`bad multipart/form-data body: ${(error as Error).message}`);
  }
}

export async function readRequestParams(request: Request): Promise<RequestParams> {
  const entries: Array<[string, string]> = [...new URL(request.url).searchParams];
  if (request.method === 'POST') {
    const contentType = request.headers.get('content-type') ?? '';
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      entries.push(...new URLSearchParams(await request.text()));
    } else if (contentType.startsWith('multipart/form-data')) {
      for (const [key, value] of await formData(request)) {
        if (typeof value === 'string') entries.push([key, value]);
      }
    }
  }
  return new RequestParams(entries);
}
