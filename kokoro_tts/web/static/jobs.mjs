// The Jobs screen: a document or a long text spoken in the background with the studio's
// settings; each job followed (JobPoller) until it is done, failed or cancelled, then heard
// and downloaded here and found in the history.

import { api, pages } from "./api.mjs";
import { fmt, jobCounts, jobLine, jobStatusText, languageName, speedText } from "./format.mjs";
import { loadHistory } from "./history.mjs";
import { JobPoller, isActive } from "./job-poller.mjs";
import { $, S, button, downloadLink, element, listen, say, toggle, warn } from "./page.mjs";
import { refreshCredits, user } from "./session.mjs";
import { onOrderChange, order, orderErrors } from "./studio.mjs";

const PERCENT = new Intl.NumberFormat(document.documentElement.lang, { style: "percent", maximumFractionDigits: 0 });
const FILE_CODES = ["unsupported_file", "unreadable_file", "file_too_large", "payload_too_large", "unsupported_media_type"];

const poller = new JobPoller({
  fetchJob: (id) => api("GET", `/api/tts/jobs/${id}`),
  onJob: async (job, ended) => { if (showJob(job, ended)) await jobEnded(job); },
  onError: warn,
  enabled: () => user() !== null,
});
const readPage = pages("/api/tts/jobs");

async function toggleJobs() {
  if (toggle("jobs")) { showJobSettings(); await loadJobs(true); $("job-file").focus(); }
}

/** A job is spoken as the studio is set (voice or blend, speed, language) and kept in a format of its
 * own: a book is kept, not heard live, so it defaults to MP3, not the studio's live WAV. */
export function showJobSettings() {
  const { voice, speed, lang } = order();
  $("job-settings").textContent = fmt(S.job_settings, { voice, speed: speedText(speed), lang: languageName(lang) });
}

function jobOrder() {
  // The document if one is chosen, else the long text; null if neither.
  const file = $("job-file").files[0];
  const text = $("job-text").value;
  if (!file && !text.trim()) return null;
  const { voice, speed, lang } = order();
  const format = $("job-format").value;
  const form = new FormData();
  if (file) form.append("file", file);
  else form.append("text", text);
  const fields = { voice, speed, lang, format, title: $("job-title").value.trim() };
  for (const [name, value] of Object.entries(fields)) if (value !== "") form.append(name, String(value));
  return form;
}

async function onStartJob(event) {
  event.preventDefault();
  const form = jobOrder();
  if (!form) return warn(S.job_missing);
  $("job-start").disabled = true;
  try {
    const job = await api("POST", "/api/tts/jobs", form);
    const kept = $("job-format").value;
    $("job-form").reset();
    $("job-format").value = kept;  // the next book is likely kept the same way
    $("job-list").prepend(jobItem(job));
    $("jobs-empty").hidden = true;
    say(fmt(S.job_started, { title: job.title }));
    await refreshCredits();  // reserved now: one credit per character
    poller.schedule();
  } catch (error) { warn(error, jobErrors()); } finally { $("job-start").disabled = false; }
}

/** Where a refused job is said: its document or text, else the studio's field at fault. */
function jobErrors() {
  const source = $("job-file").files.length ? "job-file" : "job-text";
  const where = orderErrors("job-form", source);
  for (const code of FILE_CODES) where.codes[code] = "job-file";
  return { ...where, fields: { ...where.fields, file: "job-file", title: "job-title" } };
}

/** The first page of the jobs again (`first`), or the next one; the active ones followed. */
export async function loadJobs(first) {
  const answer = await readPage(first);
  if (!answer) return;  // a later refresh was asked meanwhile: its answer shows
  if (first) forgetJobs();
  for (const job of answer.items) if (!poller.has(job.id)) $("job-list").append(jobItem(job));
  $("jobs-empty").hidden = answer.total > 0;
  $("jobs-more").hidden = answer.page >= answer.pages;
  poller.schedule();
}

export function forgetJobs() {
  poller.forget();
  $("job-list").replaceChildren();
}

function jobItem(job) {
  // Built once, then brought up to date in place while it is polled (focus and playback stay).
  const li = element("li");
  li.id = `job-${job.id}`;
  const title = element("p", "job-title");
  title.tabIndex = -1;  // where focus goes when the button that had it goes away
  const bar = element("div", "row");
  bar.append(element("progress"), element("span", "percent"));
  li.append(title, element("p", "meta job-status"), bar, element("p", "meta job-counts"),
    element("p", "alert job-error"), element("div", "row job-actions"));
  showJob(job, poller.seen(job), li);
  return li;
}

function showJob(job, ended, li = $(`job-${job.id}`)) {
  // True when this update, shown, is the one that sees the job end.
  if (!li) return false;
  const part = (name) => li.querySelector("." + name);
  part("job-title").textContent = job.title;
  part("job-status").textContent = jobLine(job, S);
  const progress = li.querySelector("progress");
  progress.max = 1;
  progress.value = job.progress;
  progress.setAttribute("aria-label", fmt(S.job_progress, { title: job.title }));
  part("percent").textContent = PERCENT.format(Math.floor(job.progress * 100) / 100);
  part("job-counts").textContent = jobCounts(job, S);
  part("job-error").textContent = job.error || "";
  showJobActions(li, job);
  return ended;
}

function showJobActions(li, job) {
  const shown = `${job.status} ${job.cancel_requested} ${job.generation_id}`;
  if (li.dataset.shown === shown) return;
  li.dataset.shown = shown;
  const actions = li.querySelector(".job-actions");
  const focused = actions.contains(document.activeElement);
  actions.replaceChildren(...jobActions(job));
  if (focused) (actions.querySelector("button:enabled, a") || li.querySelector(".job-title")).focus();
}

function jobActions(job) {
  // Cancel while it is queued or running; its audio once it is a history item.
  const actions = [];
  if (isActive(job)) {
    const cancel = button(S.cancel, () => onCancelJob(job.id));
    cancel.disabled = job.cancel_requested;
    actions.push(cancel);
  }
  if (job.generation_id) {
    const url = `/api/tts/history/${job.generation_id}/audio`;
    const audio = element("audio");
    audio.controls = true;
    audio.preload = "none";
    audio.src = url;
    audio.setAttribute("aria-label", fmt(S.job_audio, { title: job.title }));
    actions.push(audio, downloadLink(url, `kokoro-${job.generation_id}.${job.format}`, S.download));
  }
  return actions;
}

async function onCancelJob(id) {
  // A queued job ends now; a running one after the part in progress (polling sees it end).
  try {
    const job = await api("DELETE", `/api/tts/jobs/${id}`);
    if (showJob(job, poller.seen(job))) await jobEnded(job);
    poller.schedule();
  } catch (error) { warn(error); }
}

async function jobEnded(job) {
  // What is not spoken is refunded, and what is spoken is in the history now.
  say(fmt(S.job_ended, { title: job.title, status: jobStatusText(job, S) }));
  await refreshCredits();
  if (job.generation_id) await loadHistory(true);
}

export function wireJobs() {
  onOrderChange(showJobSettings);
  listen([
    ["jobs-toggle", "click", () => toggleJobs().catch(warn)],
    ["job-form", "submit", onStartJob],
    ["jobs-more", "click", () => loadJobs(false).catch(warn)],
  ]);
}
