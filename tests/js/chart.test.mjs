// The usage chart's data (kokoro_tts/web/static/chart.mjs): a series per source, in one order, for
// Chart.js to stack (it draws the bars and picks the axis).
import assert from "node:assert/strict";
import { test } from "node:test";

import { SOURCES, series } from "../../kokoro_tts/web/static/chart.mjs";

test("a series per source in one order, a value a day, null on a day the source made nothing", () => {
  const days = [
    { date: "2026-03-01", sources: { job: { characters: 5, seconds: 2 }, page: { characters: 3 } } },
    { date: "2026-03-02", sources: {} },
  ];
  assert.deepEqual(SOURCES, ["page", "api", "openai", "job", "legacy"]);
  assert.deepEqual(series(days), [
    { source: "page", values: [3, null] },
    { source: "api", values: [null, null] },
    { source: "openai", values: [null, null] },
    { source: "job", values: [5, null] },
    { source: "legacy", values: [null, null] },
  ]);
  assert.deepEqual(series(days, "seconds")[3], { source: "job", values: [2, null] });
});

test("a day without its sources counts nothing", () => {
  assert.deepEqual(series([{ date: "2026-03-01" }]).map((s) => s.values), SOURCES.map(() => [null]));
});
