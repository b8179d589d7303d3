// Usage as a chart drawn by Chart.js (static/vendor/, served by the app: nothing from another host):
// days as stacked bars, one fill pattern per source (solid, hatched, dotted...) so the sources read
// without colour, in the legend and the tooltips too; beside it the same data as a table (for screen
// readers, and anyone). `series` is pure (Node's tests import it); the rest builds DOM.

import { fmt, number, seconds } from "./format.mjs";

export const SOURCES = ["page", "api", "openai", "job", "legacy"];
const INK = "#1b1b1f", MUTED = "#555", TILE = 8;

function strokes(g, width, segments) {
  g.lineWidth = width;
  g.beginPath();
  for (const [x1, y1, x2, y2] of segments) { g.moveTo(x1, y1); g.lineTo(x2, y2); }
  g.stroke();
}

/** How each source's 8×8 tile is drawn: what tells them apart, with or without colour. */
const TILES = {
  page: (g) => { g.fillStyle = "#2b54c5"; g.fillRect(0, 0, TILE, TILE); },
  api: (g) => strokes(g, 2, [[0, 8, 8, 0], [-1, 1, 1, -1], [7, 9, 9, 7]]),
  openai: (g) => { g.beginPath(); g.arc(4, 4, 1.8, 0, 2 * Math.PI); g.fill(); },
  job: (g) => strokes(g, 1.5, [[0, 0, 8, 8], [0, 8, 8, 0]]),
  legacy: (g) => strokes(g, 2, [[0, 4, 8, 4]]),
};

/** A source's fill: its tile drawn on a small canvas of its own at the screen's pixel ratio, repeated. */
function pattern(source, ratio) {
  const tile = document.createElement("canvas");
  tile.width = tile.height = TILE * ratio;
  const g = tile.getContext("2d");
  g.scale(ratio, ratio);
  g.fillStyle = "#fff";
  g.fillRect(0, 0, TILE, TILE);
  g.fillStyle = g.strokeStyle = INK;
  TILES[source](g);
  const fill = g.createPattern(tile, "repeat");
  fill.setTransform(new DOMMatrix().scale(1 / ratio));
  return fill;
}

/** Each source's `measure` a day, in SOURCES order (Chart.js's datasets): null on a day it made
 *  nothing, so that neither a bar nor a tooltip line is drawn for it. */
export function series(days, measure = "characters") {
  return SOURCES.map((source) => ({
    source, values: days.map((day) => day.sources?.[source]?.[measure] || null),
  }));
}

/** A short date ("03/14") in the page's language. */
function shortDate(iso, language) {
  return new Intl.DateTimeFormat(language, { month: "2-digit", day: "2-digit", timeZone: "UTC" }).format(new Date(iso));
}

/** A bar's tooltip: its day, the number of each source it has, the day's total, written as the page
 *  writes numbers. */
function tooltip(usage, S) {
  return {
    filter: (item) => item.raw !== null,
    callbacks: {
      label: (item) => `${item.dataset.label}: ${number(item.raw)}`,
      footer: (items) => (items.length ? fmt(S.usage_chars, { n: usage.days[items[0].dataIndex].characters }) : ""),
    },
  };
}

function scales() {
  return {
    x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
    y: { stacked: true, beginAtZero: true, ticks: { precision: 0, callback: (value) => number(value) } },
  };
}

/** Chart.js's configuration: no animation (the same picture every time), the legend below. */
function config(usage, S, language) {
  const ratio = globalThis.devicePixelRatio || 1;
  const datasets = series(usage.days).map(({ source, values }) => ({
    label: S[`source_${source}`], data: values, backgroundColor: pattern(source, ratio),
    borderColor: INK, borderWidth: 1,
  }));
  return {
    type: "bar",
    data: { labels: usage.days.map((day) => shortDate(day.date, language)), datasets },
    options: {
      animation: false, maintainAspectRatio: false, locale: language, color: MUTED,
      interaction: { mode: "index", intersect: false },
      scales: scales(),
      plugins: {
        legend: { position: "bottom", labels: { color: INK, boxWidth: 28, boxHeight: 14 } },
        tooltip: tooltip(usage, S),
      },
    },
  };
}

function cells(row, values, header = false) {
  for (const value of values) {
    const cell = document.createElement(header ? "th" : "td");
    if (header) cell.scope = "col";
    cell.textContent = value;
    row.append(cell);
  }
}

/** The same numbers as a table: a row per day, with its sources. */
function table(usage, S, language) {
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = S.usage_table;
  const grid = document.createElement("table");
  const caption = document.createElement("caption");
  caption.textContent = S.usage_table;
  const head = grid.createTHead().insertRow();
  cells(head, [S.usage_date, S.usage_characters, S.usage_audio, S.usage_generations, S.usage_sources], true);
  const body = grid.createTBody();
  for (const day of usage.days) {
    const sources = SOURCES.filter((s) => day.sources[s]).map((s) => `${S[`source_${s}`]} ${number(day.sources[s].characters)}`);
    cells(body.insertRow(), [shortDate(day.date, language), number(day.characters), seconds(day.seconds),
      number(day.generations), sources.join(" · ")]);
  }
  grid.prepend(caption);
  details.append(summary, grid);
  return details;
}

/** Chart.js, loaded when a chart is first drawn: a UMD file, not a module, which sets globalThis.Chart.
 *  Its text in the page's font (its own default may lack the narrow space French numbers have). */
async function chartJs() {
  await import("./vendor/chart.umd.min.js");
  globalThis.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  return globalThis.Chart;
}

/** Draw `usage` (an answer of a usage route) into `container`: the chart, summed up in its label
 *  for screen readers, then its table. A chart drawn there before is let go of first. */
export async function drawUsage(container, usage, S, language) {
  const Chart = await chartJs();
  const figure = document.createElement("div");
  figure.className = "chart";
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", fmt(S.usage_chart_label, { from: usage.from, to: usage.to, n: usage.totals.characters }));
  const canvas = document.createElement("canvas");
  figure.append(canvas);
  const previous = container.querySelector("canvas");
  if (previous) Chart.getChart(previous)?.destroy();
  container.replaceChildren(figure, table(usage, S, language));
  new Chart(canvas, config(usage, S, language));
}

/** "1,234 characters · 1 min 5 s of audio · 3 generations". */
export function totalsText(totals, S) {
  return [fmt(S.usage_chars, { n: totals.characters }), fmt(S.usage_seconds, { time: seconds(totals.seconds) }),
    fmt(S.usage_count, { n: totals.generations })].join(" · ");
}
