// Following jobs (job-poller.mjs) with a fake clock: polls only while a job may still change,
// tells an end once, stops when signed out or the job is gone.
import assert from "node:assert/strict";
import { test } from "node:test";

import { JOB_POLL_MS, JobPoller, isActive } from "../../kokoro_tts/web/static/job-poller.mjs";

/** Timers that run only when told: `tick()` runs what is due. */
function fakeTimers() {
  const pending = new Map();
  let next = 1;
  return {
    pending,
    setTimeout: (run, ms) => { pending.set(next, { run, ms }); return next++; },
    clearTimeout: (id) => { pending.delete(id); },
    async tick() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, { run }] of due) await run();
    },
  };
}

/** A poller over a server whose jobs go through `states` (id -> list of statuses, one a poll). */
function setUp(states, { enabled = () => true } = {}) {
  const timers = fakeTimers();
  const log = [];
  const asked = (id) => log.filter((entry) => entry[0] === "fetch" && entry[1] === id).length;
  const poller = new JobPoller({
    timers,
    enabled,
    fetchJob: async (id) => {
      log.push(["fetch", id]);
      const next = states[id].shift();
      if (next instanceof Error) throw next;
      return { id, status: next };
    },
    onJob: async (job, ended) => { log.push(["job", job.id, job.status, ended]); },
    onError: (error) => { log.push(["error", error.status]); },
  });
  return { poller, timers, log, asked };
}

test("active means queued or running", () => {
  assert.deepEqual(["queued", "running", "done", "failed", "cancelled"].map((status) => isActive({ status })),
    [true, true, false, false, false]);
});

test("no job, or none active: no poll at all", () => {
  const { poller, timers } = setUp({});
  poller.schedule();
  assert.equal(poller.scheduled, false);
  poller.seen({ id: 1, status: "done" });
  poller.schedule();
  assert.equal(timers.pending.size, 0);
});

test("an active job is polled every interval until it ends, its end told once", async () => {
  const { poller, timers, log } = setUp({ 7: ["running", "running", "done"] });
  assert.equal(poller.seen({ id: 7, status: "queued" }), false);
  poller.schedule();
  assert.deepEqual([...timers.pending.values()].map((t) => t.ms), [JOB_POLL_MS]);
  await timers.tick();
  await timers.tick();
  await timers.tick();
  assert.deepEqual(log.filter((e) => e[0] === "job"), [
    ["job", 7, "running", false], ["job", 7, "running", false], ["job", 7, "done", true],
  ]);
  assert.equal(poller.scheduled, false);  // nothing active: it stops by itself
  assert.equal(timers.pending.size, 0);
});

test("only the active jobs are asked for", async () => {
  const { poller, timers, asked } = setUp({ 1: ["running", "done"], 2: [], 3: ["queued", "running"] });
  poller.seen({ id: 1, status: "running" });
  poller.seen({ id: 2, status: "done" });
  poller.seen({ id: 3, status: "queued" });
  poller.schedule();
  await timers.tick();
  await timers.tick();
  assert.deepEqual([asked(1), asked(2), asked(3)], [2, 0, 2]);
  assert.equal(poller.scheduled, true);  // job 3 still running
});

test("an end seen elsewhere (a cancel's answer) is told there, not again by the poll", () => {
  const { poller } = setUp({});
  poller.seen({ id: 5, status: "running" });
  assert.equal(poller.seen({ id: 5, status: "cancelled" }), true);
  assert.equal(poller.seen({ id: 5, status: "cancelled" }), false);
  assert.equal(poller.seen({ id: 6, status: "done" }), false);  // first seen ended: no end to tell
});

test("scheduling again replaces the pending poll (never two at once)", () => {
  const { poller, timers } = setUp({});
  poller.seen({ id: 1, status: "queued" });
  poller.schedule();
  poller.schedule();
  poller.schedule();
  assert.equal(timers.pending.size, 1);
});

test("signed out (a 401) or the job gone (a 404): the error told, no more polls", async () => {
  for (const status of [401, 404]) {
    const failure = Object.assign(new Error("no"), { status });
    const { poller, timers, log } = setUp({ 1: [failure] });
    poller.seen({ id: 1, status: "running" });
    poller.schedule();
    await timers.tick();
    assert.deepEqual(log.at(-1), ["error", status]);
    assert.equal(poller.scheduled, false);
  }
});

test("any other failure is told and the poll goes on", async () => {
  const busy = Object.assign(new Error("Busy"), { status: 503 });
  const { poller, timers, log } = setUp({ 1: [busy, "done"] });
  poller.seen({ id: 1, status: "running" });
  poller.schedule();
  await timers.tick();
  assert.deepEqual(log.at(-1), ["error", 503]);
  assert.equal(poller.scheduled, true);
  await timers.tick();
  assert.deepEqual(log.at(-1), ["job", 1, "done", true]);
});

test("not while polling is disabled (signed out), nor after forget", () => {
  let signedIn = false;
  const { poller, timers } = setUp({}, { enabled: () => signedIn });
  poller.seen({ id: 1, status: "running" });
  poller.schedule();
  assert.equal(timers.pending.size, 0);
  signedIn = true;
  poller.schedule();
  assert.equal(timers.pending.size, 1);
  poller.forget();
  assert.equal(timers.pending.size, 0);
  assert.equal(poller.has(1), false);
  poller.schedule();
  assert.equal(poller.scheduled, false);
});
