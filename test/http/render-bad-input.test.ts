/**
 * The contract's error promise for /render, driven through the HTTP app over a real engine: user
 * input that once crashed a function, overflowed the stack or blocked the event loop answers a 400
 * naming the problem, promptly, and the app keeps serving.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineApp, T0 } from './engine-app.js';

const range = `from=${T0}&until=${T0 + 60}`;

/** A request that must fail fast with 400 and a message matching `message`. */
async function badRequest(app: Awaited<ReturnType<typeof engineApp>>['app'], target: string, message: RegExp): Promise<void> {
  const started = performance.now();
  const response = await app.request('/render', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ target, from: String(T0), until: String(T0 + 60) }).toString(),
  });
  const text = await response.text();
  assert.equal(response.status, 400, `${target.slice(0, 80)}: ${text.slice(0, 200)}`);
  assert.match(text, message);
  assert.ok(performance.now() - started < 2000, `${target.slice(0, 80)} took ${performance.now() - started} ms`);
}

describe('/render bad input', () => {
  it('deep nesting and long pipe chains are 400s, not stack overflows', async (t) => {
    const { app } = await engineApp(t);
    await badRequest(app, `${'absolute('.repeat(5000)}web.a.cpu${')'.repeat(5000)}`, /calls nested more than 200 deep/);
    await badRequest(app, `web.a.cpu${'|absolute()'.repeat(20_000)}`, /calls nested more than 200 deep/);
    const fine = await app.request(`/render?target=${encodeURIComponent(`${'absolute('.repeat(100)}web.a.cpu${')'.repeat(100)}`)}&${range}`);
    assert.equal(fine.status, 200);
  });

  it('zero and negative bucket sizes are 400s', async (t) => {
    const { app } = await engineApp(t);
    await badRequest(app, 'hitcount(web.*.cpu,"0s")', /hitcount\(\): interval '0s' must be positive/);
    await badRequest(app, 'summarize(web.*.cpu,"0min","sum",true)', /summarize\(\): interval '0min' must be positive/);
    await badRequest(app, 'smartSummarize(web.*.cpu,"-1h","avg","hours")', /smartSummarize\(\): interval '-1h' must be positive/);
  });

  it('map() is a 400 where a series list is wanted, and still feeds reduceSeries', async (t) => {
    const { app } = await engineApp(t);
    await badRequest(app, 'map(web.*.cpu,1)', /map\(\) gives series lists, which only reduceSeries\(\) takes/);
    await badRequest(app, 'sumSeries(mapSeries(web.*.cpu,1))', /invalid seriesList value series lists .* for parameter 'seriesLists' of sumSeries\(\)/);
    const reduced = await app.request(`/render?target=${encodeURIComponent('reduceSeries(mapSeries(web.b.*,1),"asPercent",2,"cpu","mem")')}&${range}`);
    assert.equal(reduced.status, 200);
    assert.deepEqual(((await reduced.json()) as Array<{ target: string }>).map((s) => s.target), ['web.b.reduce.asPercent']);
  });

  it('sizes that would take minutes or all memory answer at once', async (t) => {
    const { app } = await engineApp(t);
    const rounded = await app.request(`/render?target=${encodeURIComponent('round(web.a.cpu,999999999)')}&${range}`);
    assert.equal(rounded.status, 200);
    assert.deepEqual(((await rounded.json()) as Array<{ datapoints: unknown[][] }>)[0].datapoints[0], [1, T0 + 10]);
    await badRequest(app, 'timeStack(web.a.cpu,"1d",-999999999,0)', /timeStack\(\): -999999999 to 0 is 999999999 shifts, more than 1000/);
    await badRequest(app, 'aliasQuery(web.a.cpu,"web\\.a\\.cpu","web.b.cpu","%.999999999f")', /too wide: width and precision go up to 1000/);
  });
});

describe('/render times', () => {
  it("raw answers print the range's ends as whole seconds, as graphite-web's %d does, for generators too", async (t) => {
    const { app } = await engineApp(t);
    const response = await app.request('/render?target=identity("x")&from=-2min&format=raw');
    const header = (await response.text()).split('|')[0];
    assert.match(header, /^x,\d+,\d+,60$/);
  });
});

describe('/render points made from the time range alone', () => {
  it('a generator, events() or 1 s buckets over a century are a prompt 400 naming render.maxPoints, not a process out of memory', async (t) => {
    const { app } = await engineApp(t);
    for (const target of ['events("deploy")', 'randomWalk("x",1)', 'summarize(web.a.cpu,"1s")', 'hitcount(web.a.cpu,"1s")']) {
      const started = performance.now();
      const response = await app.request(`/render?target=${encodeURIComponent(target)}&from=-100y`);
      assert.equal(response.status, 400, target);
      assert.match(await response.text(), /too many points: \w+\(\) would make \d+ points in one series, the limit is 100000000 \(render\.maxPoints\)/);
      // The bucketing functions read a century of stored data first, which takes its own time.
      if (!target.includes('web.')) assert.ok(performance.now() - started < 2000, `${target} took ${performance.now() - started} ms`);
    }
  });

  it('follows a configured render.maxPoints', async (t) => {
    const { app } = await engineApp(t, { maxPoints: 1000 });
    const response = await app.request('/render?target=events("deploy")&from=-1h');
    assert.equal(response.status, 400);
    assert.match(await response.text(), /events\(\) would make 3600 points in one series, the limit is 1000/);
    assert.equal((await app.request('/render?target=events("deploy")&from=-10min')).status, 200);
  });
});
