// The usage chart's arithmetic (kokoro_tts/web/static/chart.mjs): round tops, stacked sources.
import assert from "node:assert/strict";
import { test } from "node:test";

import { SOURCES, ceiling, stack } from "../../kokoro_tts/web/static/chart.mjs";

test("the axis tops at a round number at or above the highest bar", () => {
  assert.equal(ceiling(0), 1);
  assert.equal(ceiling(7), 8);
  assert.equal(ceiling(11), 15);
  assert.equal(ceiling(1234), 1500);
  assert.equal(ceiling(100), 100);
});

test("a day's sources stack in one order, empty ones left out", () => {
  const days = [
    { date: "2026-03-01", sources: { job: { characters: 5 }, page: { characters: 3 } } },
    { date: "2026-03-02", sources: {} },
  ];
  assert.deepEqual(stack(days), [
    { date: "2026-03-01", total: 8, parts: [{ source: "page", from: 0, to: 3 }, { source: "job", from: 3, to: 8 }] },
    { date: "2026-03-02", total: 0, parts: [] },
  ]);
  assert.deepEqual(SOURCES, ["page", "api", "openai", "job", "legacy"]);
});
