// Usage as a chart: days as stacked bars, one fill pattern per source (solid, hatched, dotted...) so
// the sources read without colour; each bar titled with its numbers, and beside it the same data as
// a table (for screen readers, and anyone). SVG drawn here: no library, nothing from another host.
// `stack` and `ceiling` are pure (Node's tests import them); the rest builds DOM.

import { fmt, number, seconds } from "./format.mjs";

export const SOURCES = ["page", "api", "openai", "job", "legacy"];
const SVG = "http://www.w3.org/2000/svg";
const W = 600, H = 200, LEFT = 48, BOTTOM = 24, TOP = 8;
/** A pattern per source: what tells them apart, with or without colour. */
const PATTERNS = {
  page: [],
  api: [["path", { d: "M0,8 L8,0", "stroke-width": 2 }]],
  openai: [["circle", { cx: 4, cy: 4, r: 1.8 }]],
  job: [["path", { d: "M0,0 L8,8 M0,8 L8,0", "stroke-width": 1.5 }]],
  legacy: [["path", { d: "M0,4 L8,4", "stroke-width": 2 }]],
};

/** A round top for the axis: 0 -> 1, 7 -> 10, 1234 -> 1500. */
export function ceiling(n) {
  if (n <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * step >= n) return m * step;
  return 10 * step;
}

/** Each day's characters per source as stacked segments [{source, from, to}], in SOURCES order. */
export function stack(days, measure = "characters") {
  return days.map((day) => {
    let at = 0;
    const parts = [];
    for (const source of SOURCES) {
      const value = day.sources?.[source]?.[measure] || 0;
      if (value > 0) { parts.push({ source, from: at, to: at + value }); at += value; }
    }
    return { date: day.date, total: at, parts };
  });
}

function node(tag, attributes = {}, text = "") {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text) element.textContent = text;
  return element;
}

let charts = 0;

function patterns(prefix) {
  const defs = node("defs");
  for (const [source, shapes] of Object.entries(PATTERNS)) {
    const pattern = node("pattern", { id: `${prefix}-${source}`, width: 8, height: 8, patternUnits: "userSpaceOnUse" });
    pattern.append(node("rect", { width: 8, height: 8, fill: source === "page" ? "#2b54c5" : "#fff" }));
    for (const [tag, attributes] of shapes) pattern.append(node(tag, { ...attributes, stroke: "#1b1b1f", fill: "#1b1b1f" }));
    defs.append(pattern);
  }
  return defs;
}

/** A short date ("03/14") in the page's language. */
function shortDate(iso, language) {
  return new Intl.DateTimeFormat(language, { month: "2-digit", day: "2-digit", timeZone: "UTC" }).format(new Date(iso));
}

function axis(svg, top) {
  svg.append(node("line", { x1: LEFT, y1: H - BOTTOM, x2: W, y2: H - BOTTOM, stroke: "#555" }));
  svg.append(node("text", { x: LEFT - 6, y: TOP + 10, "text-anchor": "end", "font-size": 11 }, number(top)));
  svg.append(node("text", { x: LEFT - 6, y: H - BOTTOM, "text-anchor": "end", "font-size": 11 }, "0"));
}

function bars(svg, days, prefix, S, language) {
  const columns = stack(days);
  const top = ceiling(Math.max(0, ...columns.map((c) => c.total)));
  axis(svg, top);
  const width = (W - LEFT) / Math.max(1, columns.length);
  const scale = (H - BOTTOM - TOP) / top;
  columns.forEach((column, i) => {
    const group = node("g");
    group.append(node("title", {}, `${shortDate(column.date, language)}: ${fmt(S.usage_chars, { n: column.total })}`));
    for (const part of column.parts) {
      group.append(node("rect", {
        x: LEFT + i * width + 1, width: Math.max(1, width - 2), y: H - BOTTOM - part.to * scale,
        height: (part.to - part.from) * scale, fill: `url(#${prefix}-${part.source})`, stroke: "#1b1b1f", "stroke-width": 0.5,
      }));
    }
    svg.append(group);
    if (i === 0 || i === columns.length - 1 || i === Math.floor(columns.length / 2)) {
      svg.append(node("text", { x: LEFT + (i + 0.5) * width, y: H - 6, "text-anchor": "middle", "font-size": 11 },
        shortDate(column.date, language)));
    }
  });
}

function legend(prefix, S) {
  const list = document.createElement("ul");
  list.className = "legend";
  for (const source of SOURCES) {
    const item = document.createElement("li");
    const swatch = node("svg", { width: 16, height: 16, "aria-hidden": "true" });
    swatch.append(node("rect", { width: 16, height: 16, fill: `url(#${prefix}-${source})`, stroke: "#1b1b1f" }));
    item.append(swatch, " ", S[`source_${source}`]);
    list.append(item);
  }
  return list;
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

/** Draw `usage` (an answer of a usage route) into `container`: the chart, its legend, its table. */
export function drawUsage(container, usage, S, language) {
  const prefix = `chart${++charts}`;
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart" });
  const label = fmt(S.usage_chart_label, { from: usage.from, to: usage.to, n: usage.totals.characters });
  svg.setAttribute("aria-label", label);
  svg.append(patterns(prefix));
  bars(svg, usage.days, prefix, S, language);
  container.replaceChildren(svg, legend(prefix, S), table(usage, S, language));
}

/** "1,234 characters · 1 min 5 s of audio · 3 generations". */
export function totalsText(totals, S) {
  return [fmt(S.usage_chars, { n: totals.characters }), fmt(S.usage_seconds, { time: seconds(totals.seconds) }),
    fmt(S.usage_count, { n: totals.generations })].join(" · ");
}
