/**
 * A render worker: evaluates a request's targets on the data the main thread fetched for it and
 * writes the answer in the requested format, so neither the functions nor the formatting of a big
 * answer hold up the main thread (ingest, small queries). Data the fetch could not know it needed
 * (ranges that depend on the data, reductions) is asked of the main thread, which owns the store.
 */
import type { MessagePort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { evaluateFetched, type FetchedRanges, type FetchPlan, type SeriesSource } from '../query/evaluator.js';
import type { Reduction } from '../query/reducing-read.js';
import { renderedSeries } from '../query/render.js';
import type { Series } from '../query/series.js';
import { renderBody } from './render-body.js';
import { errorFromWire, errorToWire, movablePieces, rangesFromColumns, type RangeColumns, type RenderJob, type RenderJobResult, type SourceReply, type SourceRequest } from './render-job.js';

/** The store, as the main thread serves it over the job's port. */
class PortSource implements SeriesSource {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(reply: SourceReply): void; reject(error: Error): void }>();

  constructor(
    private readonly port: MessagePort,
    readonly reduces: boolean,
  ) {
    port.on('message', (reply: SourceReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('error' in reply) waiter?.reject(errorFromWire(reply.error));
      else waiter?.resolve(reply);
    });
  }

  async fetch(plan: FetchPlan): Promise<FetchedRanges> {
    const reply = await this.ask({ id: this.nextId++, plan });
    return rangesFromColumns((reply as { fetched: RangeColumns }).fetched);
  }

  async reduce(reduction: Reduction, from: number, until: number, xFilesFactor: number): Promise<Series[] | undefined> {
    const reply = await this.ask({ id: this.nextId++, reduction, from, until, xFilesFactor });
    return (reply as { reduced: Series[] | undefined }).reduced;
  }

  close(): void {
    this.port.close();
  }

  private ask(request: SourceRequest): Promise<SourceReply> {
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      this.port.postMessage(request);
    });
  }
}

/** The pool's task: a job's answer, its pieces' buffers moved to the main thread; errors are answers too. */
export default async function renderJob(job: RenderJob): Promise<RenderJobResult> {
  const source = new PortSource(job.port, job.reduces);
  try {
    const body = renderBody(renderedSeries(await evaluateFetched(source, { expressions: job.expressions, fetched: rangesFromColumns(job.fetched) }, job.evaluate)), job.body, job.limits);
    const { pieces, transfer } = movablePieces(body.pieces ?? [body.whole!].values());
    const answer: RenderJobResult = { contentType: body.contentType, pieces };
    // piscina moves what a returned Transferable lists, and sends its value in its place.
    return move({ [transferableSymbol]: transfer, [valueSymbol]: answer }) as unknown as RenderJobResult;
  } catch (error) {
    return { error: errorToWire(error) };
  } finally {
    source.close();
  }
}
