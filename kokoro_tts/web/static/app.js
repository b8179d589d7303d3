// The page: plain JavaScript talking to the JSON API with the session cookie (HttpOnly: this
// script never sees the token). Every write sends the CSRF double-submit header.

const S = JSON.parse(document.getElementById("strings").textContent);
const $ = (id) => document.getElementById(id);
const fmt = (text, values = {}) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
const PAGE_LANG = document.documentElement.lang === "fr" ? "fr" : "en-us";

const state = { user: null, voices: [], historyPage: 1, abort: null, jobs: new Map(), jobsPage: 1, jobTimer: null };

// -- talking to the API --------------------------------------------------------------------

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrf_access_token=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function api(method, path, body, options = {}) {
  // A FormData body (an upload) goes as multipart: the browser writes its Content-Type.
  const form = body instanceof FormData;
  const headers = {};
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-TOKEN"] = csrfToken();
  const response = await fetch(path, {
    method, headers, credentials: "same-origin", signal: options.signal,
    body: body === undefined || form ? body : JSON.stringify(body),
  });
  if (!response.ok && !options.raw) throw await apiError(response);
  if (options.raw) return response;
  return response.status === 204 ? null : response.json();
}

async function apiError(response) {
  let error = { code: "http_" + response.status, message: response.statusText };
  try { error = (await response.json()).error || error; } catch { /* not JSON */ }
  error.status = response.status;
  error.retryAfter = response.headers.get("Retry-After");
  return error;
}

function explain(error) {
  if (error.status === 402 && error.details) return fmt(S.error_402, error.details);
  if (error.status === 429) return fmt(S.error_429, { seconds: error.retryAfter || "?" });
  return fmt(S.error_generic, { message: error.message || error.code });
}

function say(text) { $("status").textContent = text; $("alert").textContent = ""; }
function warn(error) { $("alert").textContent = typeof error === "string" ? error : explain(error); }

// -- signing in and out --------------------------------------------------------------------

let mode = "login";  // or "register", "forgot"

function showAuth(next) {
  // One form for the three: "Create account" adds a name, "Forgot password?" keeps the email only.
  mode = next;
  $("auth").hidden = false;
  $("auth-form").hidden = false;
  $("reset-form").hidden = true;
  $("name-field").hidden = mode !== "register";
  $("password-field").hidden = mode === "forgot";
  $("auth-password").required = mode !== "forgot";
  if ($("mail-off")) $("mail-off").hidden = mode !== "forgot";
  const title = { login: S.log_in, register: S.create_account, forgot: S.forgot_password }[mode];
  $("auth-title").textContent = title;
  $("auth-submit").textContent = { login: S.log_in, register: S.create_account, forgot: S.send_reset }[mode];
  $("auth-switch").textContent = mode === "login" ? S.create_account : S.back_to_login;
  $("auth-forgot").hidden = mode !== "login";
  $("auth-password").autocomplete = mode === "register" ? "new-password" : "current-password";
  $("auth-email").focus();
}

function showReset() {
  $("auth").hidden = false;
  $("auth-form").hidden = true;
  $("reset-form").hidden = false;
  $("auth-title").textContent = S.reset_title;
  $("reset-password").focus();
}

async function signedIn(user) {
  state.user = user;
  $("auth").hidden = true;
  for (const id of ["account-bar", "studio", "history"]) $(id).hidden = false;
  $("who").textContent = user.name || user.email;
  showCredits(user.credits);
  $("speed").value = user.preferences?.default_speed ?? 1;
  showSpeed();
  await loadVoices();
  showJobSettings();
  await loadHistory(true);
  await loadJobs(true).catch(warn);  // follows the jobs still queued or running
}

function signedOut() {
  state.user = null;
  for (const id of ["account-bar", "studio", "history", "jobs", "keys", "account"]) $(id).hidden = true;
  for (const id of ["jobs", "keys", "account"]) $(id + "-toggle").setAttribute("aria-expanded", "false");
  forgetJobs();
  showAuth("login");
}

function showCredits(credits) {
  $("credits").textContent = credits === null || credits === undefined || credits === "unlimited" ? S.unlimited : credits;
}

async function onAuth(event) {
  event.preventDefault();
  if (mode === "forgot") return onForgot();
  const body = { email: $("auth-email").value, password: $("auth-password").value };
  if (mode === "register" && $("auth-name").value.trim()) body.name = $("auth-name").value.trim();
  try {
    const answer = await api("POST", mode === "register" ? "/api/auth/session/register" : "/api/auth/session", body);
    $("auth-password").value = "";
    say("");
    await signedIn(answer.user);
  } catch (error) { warn(error); }
}

async function onForgot() {
  try {
    await api("POST", "/api/auth/password/forgot", { email: $("auth-email").value });
    say(S.reset_sent);
  } catch (error) { warn(error); }
}

async function onReset(event) {
  event.preventDefault();
  try {
    await api("POST", "/api/auth/password/reset", { token: state.resetToken, new_password: $("reset-password").value });
    $("reset-password").value = "";
    showAuth("login");
    say(S.password_set);
  } catch (error) { warn(error); }
}

async function onLogout() {
  try { await api("DELETE", "/api/auth/session"); } catch (error) { warn(error); }
  signedOut();
}

// -- voices, speed, count ------------------------------------------------------------------

async function loadVoices() {
  state.voices = (await api("GET", "/api/tts/voices")).voices;
  const languages = [...new Set(state.voices.map((v) => v.language).filter(Boolean))].sort();
  const filter = $("filter-lang");
  const chosen = filter.value;
  filter.replaceChildren(filter.options[0]);
  for (const code of languages) filter.append(new Option(code, code));
  filter.value = chosen;
  const wanted = state.user.preferences?.default_voice;
  if (wanted && !state.voices.some((v) => v.id === wanted)) $("blend").value = wanted;  // a blend
  showVoices(wanted);
}

function showVoices(wanted) {
  // Favourites first, then what this server can speak; the rest shown, disabled, with why.
  const language = $("filter-lang").value;
  const gender = $("filter-gender").value;
  const shown = state.voices.filter((v) => (!language || v.language === language) && (!gender || v.gender === gender));
  const favourites = new Set(state.user.favorite_voices || []);
  const groups = [
    [S.favourites, shown.filter((v) => favourites.has(v.id) && v.available)],
    [S.available, shown.filter((v) => !favourites.has(v.id) && v.available)],
    [S.unavailable, shown.filter((v) => !v.available)],
  ];
  const select = $("voice");
  const current = wanted || select.value;
  select.replaceChildren();
  for (const [label, voices] of groups) {
    if (!voices.length) continue;
    const group = document.createElement("optgroup");
    group.label = label;
    for (const v of voices) {
      const option = new Option(`${v.name} (${v.id}, ${v.language || "?"}${v.gender ? ", " + v.gender : ""})`, v.id);
      option.disabled = !v.available;
      group.append(option);
    }
    select.append(group);
  }
  const usable = shown.find((v) => v.id === current && v.available) || shown.find((v) => v.available);
  if (usable) select.value = usable.id;
  showFavourite();
}

function onPreview() {
  const player = $("player");
  player.src = `/api/tts/voices/${encodeURIComponent($("voice").value)}/preview`;
  player.play().catch(() => {});
}

function showFavourite() {
  const on = (state.user?.favorite_voices || []).includes($("voice").value);
  $("favourite").setAttribute("aria-pressed", String(on));
}

async function onFavourite() {
  const id = $("voice").value;
  const on = $("favourite").getAttribute("aria-pressed") === "true";
  try {
    const answer = await api(on ? "DELETE" : "PUT", `/api/tts/voices/${encodeURIComponent(id)}/favorite`);
    state.user.favorite_voices = answer.favorite_voices;
    showVoices(id);
  } catch (error) { warn(error); }
}

function showSpeed() { $("speed-value").textContent = Number($("speed").value).toFixed(2) + "×"; }

function showCount() {
  const n = $("text").value.length;
  $("count").textContent = `${fmt(S.characters, { n })}, ${fmt(S.cost, { n })}`;
}

async function onSaveDefault() {
  try {
    const answer = await api("PUT", "/api/auth/preferences", { default_voice: order().voice, default_speed: Number($("speed").value) });
    state.user = answer.user || answer;
    say(S.saved_default);
  } catch (error) { warn(error); }
}

// -- speaking ------------------------------------------------------------------------------

function order() {
  const blend = $("blend").value.trim();
  return { text: $("text").value, voice: blend || $("voice").value, speed: Number($("speed").value), lang: $("text-lang").value, format: $("format").value };
}

async function onGenerate(event) {
  event.preventDefault();
  const body = { ...order(), stream: true };
  state.abort = new AbortController();
  $("generate").disabled = true;
  $("stop").disabled = false;
  say(S.generating);
  const player = $("player");
  player.dataset.clickedAt = String(performance.now());
  delete player.dataset.playingAt;
  delete player.dataset.receivedAt;
  delete player.dataset.doneAt;
  try {
    const response = await api("POST", "/api/tts/generate", body, { raw: true, signal: state.abort.signal });
    if (!response.ok) throw await apiError(response);
    showCredits(response.headers.get("X-Credits-Remaining"));
    const type = response.headers.get("Content-Type").split(";")[0];
    if (window.MediaSource && MediaSource.isTypeSupported(type) && type === "audio/mpeg") {
      await streamInto(player, response.body, type);
    } else {
      player.src = URL.createObjectURL(await response.blob());
      player.dataset.receivedAt = String(performance.now());
      await player.play().catch(() => {});
    }
    player.dataset.doneAt = String(performance.now());
    say("");
    await loadHistory(true);
  } catch (error) {
    if (error.name !== "AbortError") warn(error);
  } finally {
    $("generate").disabled = false;
    $("stop").disabled = true;
    state.abort = null;
  }
}

function once(target, name) { return new Promise((resolve) => target.addEventListener(name, resolve, { once: true })); }

async function streamInto(player, body, type) {
  // Playback starts with the first piece while the server is still synthesising the rest.
  const source = new MediaSource();
  player.src = URL.createObjectURL(source);
  await once(source, "sourceopen");
  const buffer = source.addSourceBuffer(type);
  const reader = body.getReader();
  let started = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      player.dataset.receivedAt = String(performance.now());  // the last byte: synthesis is over
      break;
    }
    buffer.appendBuffer(value);
    await once(buffer, "updateend");
    if (!started) {
      started = true;
      player.play().catch(() => {});
      say(S.playing);
    }
  }
  if (source.readyState === "open") source.endOfStream();
}

function onStop() {
  if (state.abort) state.abort.abort();
  $("player").pause();
}

$("player")?.addEventListener("playing", () => {
  if (!$("player").dataset.playingAt) $("player").dataset.playingAt = String(performance.now());
});

// -- history -------------------------------------------------------------------------------

async function loadHistory(first) {
  state.historyPage = first ? 1 : state.historyPage + 1;
  const page = await api("GET", `/api/tts/history?page=${state.historyPage}&per_page=10`);
  const list = $("history-list");
  if (first) list.replaceChildren();
  for (const item of page.items) list.append(historyItem(item));
  $("history-empty").hidden = page.total > 0;
  $("history-more").hidden = state.historyPage >= page.pages;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function historyItem(item) {
  const li = document.createElement("li");
  const text = document.createElement("p");
  text.textContent = item.text.length > 160 ? item.text.slice(0, 160) + "…" : item.text;
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = `${new Date(item.created_at).toLocaleString()} · ${item.voice} · ${item.speed}× · ${item.format}` +
    (item.duration ? ` · ${item.duration.toFixed(1)} s` : "");
  const audio = `/api/tts/history/${item.id}/audio`;
  const play = button(S.play, () => { $("player").src = audio; $("player").play().catch(() => {}); });
  const download = document.createElement("a");
  download.href = audio;
  download.download = `kokoro-${item.id}.${item.format}`;
  download.textContent = S.download;
  const captions = document.createElement("a");
  captions.href = `/api/tts/history/${item.id}/captions?format=vtt`;
  captions.download = `kokoro-${item.id}.vtt`;
  captions.textContent = S.captions;
  const rerun = button(S.rerun, () => rerun_(item));
  const remove = button(S.delete, async () => {
    try { await api("DELETE", `/api/tts/history/${item.id}`); li.remove(); } catch (error) { warn(error); }
  });
  play.disabled = !item.has_audio;
  const row = document.createElement("div");
  row.className = "row";
  row.append(play, item.has_audio ? download : "", item.has_captions ? captions : "", rerun, remove);
  li.append(text, meta, row);
  return li;
}

function rerun_(item) {
  $("text").value = item.text;
  const single = [...$("voice").options].some((o) => o.value === item.voice && !o.disabled);
  if (single) $("voice").value = item.voice;
  $("blend").value = single ? "" : item.voice;
  $("speed").value = item.speed;
  if (item.lang) $("text-lang").value = item.lang;
  if ([...$("format").options].some((o) => o.value === item.format)) $("format").value = item.format;
  showSpeed();
  showCount();
  showJobSettings();
  $("text").focus();
}

// -- long-form jobs ------------------------------------------------------------------------

const JOB_POLL_MS = 2000;
const PERCENT = new Intl.NumberFormat(document.documentElement.lang, { style: "percent", maximumFractionDigits: 0 });
const NUMBER = new Intl.NumberFormat(document.documentElement.lang);
const isActive = (job) => job.status === "queued" || job.status === "running";

async function toggleJobs() {
  if (toggle("jobs")) { showJobSettings(); await loadJobs(true); $("job-file").focus(); }
}

function showJobSettings() {
  // A job is spoken as the studio above is set: its voice (or blend), speed, language and format.
  const { voice, speed } = order();
  const label = (id) => $(id).selectedOptions[0]?.textContent || $(id).value;
  $("job-settings").textContent = fmt(S.job_settings, { voice, speed: speed.toFixed(2), lang: label("text-lang"), format: label("format") });
}

function jobOrder() {
  // The document if one is chosen, else the long text; null if neither.
  const file = $("job-file").files[0];
  const text = $("job-text").value;
  if (!file && !text.trim()) return null;
  const { voice, speed, lang, format } = order();
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
    $("job-form").reset();
    $("job-list").prepend(jobItem(job));
    $("jobs-empty").hidden = true;
    say(fmt(S.job_started, { title: job.title }));
    await refreshCredits();  // reserved now: one credit per character
    pollJobs();
  } catch (error) { warn(error); } finally { $("job-start").disabled = false; }
}

async function loadJobs(first) {
  state.jobsPage = first ? 1 : state.jobsPage + 1;
  const page = await api("GET", `/api/tts/jobs?page=${state.jobsPage}&per_page=10`);
  if (first) forgetJobs();
  for (const job of page.items) if (!state.jobs.has(job.id)) $("job-list").append(jobItem(job));
  $("jobs-empty").hidden = page.total > 0;
  $("jobs-more").hidden = state.jobsPage >= page.pages;
  pollJobs();
}

function forgetJobs() {
  clearTimeout(state.jobTimer);
  state.jobTimer = null;
  state.jobs.clear();
  $("job-list").replaceChildren();
}

function element(tag, className) {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}

function jobItem(job) {
  // Built once, then brought up to date in place while it is polled (focus and playback stay).
  const li = document.createElement("li");
  li.id = `job-${job.id}`;
  const title = element("p", "job-title");
  title.tabIndex = -1;  // where focus goes when the button that had it goes away
  const bar = element("div", "row");
  bar.append(document.createElement("progress"), element("span", "percent"));
  li.append(title, element("p", "meta job-status"), bar, element("p", "meta job-counts"),
    element("p", "alert job-error"), element("div", "row job-actions"));
  showJob(job, li);
  return li;
}

function showJob(job, li = $(`job-${job.id}`)) {
  // Returns true when this update is the one that sees the job end.
  const before = state.jobs.get(job.id);
  state.jobs.set(job.id, job);
  if (!li) return false;
  const part = (name) => li.querySelector("." + name);
  const status = job.status === "running" && job.cancel_requested ? S.job_cancelling : S["job_" + job.status] || job.status;
  part("job-title").textContent = job.title;
  part("job-status").textContent = `${status} · ${new Date(job.created_at).toLocaleString()} · ${job.voice} · ${job.speed}× · ${job.format}`;
  const progress = li.querySelector("progress");
  progress.max = 1;
  progress.value = job.progress;
  progress.setAttribute("aria-label", fmt(S.job_progress, { title: job.title }));
  part("percent").textContent = PERCENT.format(Math.floor(job.progress * 100) / 100);
  part("job-counts").textContent = fmt(S.job_counts, {
    done: NUMBER.format(job.characters_done), total: NUMBER.format(job.characters),
    chapters_done: job.chapters_done, chapters: job.chapters.length,
  });
  part("job-error").textContent = job.error || "";
  showJobActions(li, job);
  return Boolean(before && isActive(before) && !isActive(job));
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
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "none";
    audio.src = url;
    audio.setAttribute("aria-label", fmt(S.job_audio, { title: job.title }));
    const download = document.createElement("a");
    download.href = url;
    download.download = `kokoro-${job.generation_id}.${job.format}`;
    download.textContent = S.download;
    actions.push(audio, download);
  }
  return actions;
}

async function onCancelJob(id) {
  // A queued job ends now; a running one after the part in progress (polling sees it end).
  try {
    const job = await api("DELETE", `/api/tts/jobs/${id}`);
    if (showJob(job)) await jobEnded(job);
    pollJobs();
  } catch (error) { warn(error); }
}

function pollJobs() {
  // Every JOB_POLL_MS while a job is queued or running; not at all when none is.
  clearTimeout(state.jobTimer);
  state.jobTimer = null;
  if (state.user && [...state.jobs.values()].some(isActive)) state.jobTimer = setTimeout(refreshJobs, JOB_POLL_MS);
}

async function refreshJobs() {
  state.jobTimer = null;
  try {
    for (const { id } of [...state.jobs.values()].filter(isActive)) {
      const job = await api("GET", `/api/tts/jobs/${id}`);
      if (showJob(job)) await jobEnded(job);
    }
  } catch (error) {
    warn(error);
    if (error.status === 401 || error.status === 404) return;  // signed out, or gone: no use asking again
  }
  pollJobs();
}

async function jobEnded(job) {
  // What is not spoken is refunded, and what is spoken is in the history now.
  say(fmt(S.job_ended, { title: job.title, status: S["job_" + job.status] || job.status }));
  await refreshCredits();
  if (job.generation_id) await loadHistory(true);
}

async function refreshCredits() {
  showCredits((await api("GET", "/api/auth/me")).credits);
}

// -- API keys ------------------------------------------------------------------------------

function toggle(section) {
  // A header button shows or hides its section (aria-expanded follows); true if now shown.
  const open = $(section).hidden;
  $(section).hidden = !open;
  $(section + "-toggle").setAttribute("aria-expanded", String(open));
  return open;
}

async function toggleKeys() {
  if (toggle("keys")) { await loadKeys(); $("key-name").focus(); }
}

async function loadKeys() {
  const keys = await api("GET", "/api/auth/api-keys");
  const list = $("key-list");
  list.replaceChildren();
  for (const key of keys.items || keys) {
    const li = document.createElement("li");
    const used = key.last_used_at ? fmt(S.last_used, { when: new Date(key.last_used_at).toLocaleString() }) : S.never_used;
    li.textContent = `${key.name} (${key.prefix}…) · ${used} `;
    li.append(button(S.revoke, async () => {
      try { await api("DELETE", `/api/auth/api-keys/${key.id}`); li.remove(); } catch (error) { warn(error); }
    }));
    list.append(li);
  }
}

async function onCreateKey(event) {
  event.preventDefault();
  try {
    const key = await api("POST", "/api/auth/api-keys", { name: $("key-name").value });
    $("key-name").value = "";
    $("new-key").hidden = false;
    $("new-key-value").textContent = key.key;
    $("sdk-snippet").textContent = [
      "from openai import OpenAI",
      "",
      `client = OpenAI(base_url="${location.origin}/v1", api_key="${key.key}")`,
      'with client.audio.speech.with_streaming_response.create(',
      `    model="tts-1", voice="${$("voice").value}", input="Hello!", response_format="mp3"`,
      ") as response:",
      '    response.stream_to_file("hello.mp3")',
    ].join("\n");
    await loadKeys();
  } catch (error) { warn(error); }
}

async function onCopyKey() {
  try { await navigator.clipboard.writeText($("new-key-value").textContent); say(S.copied); } catch { /* no clipboard */ }
}

// -- the account ---------------------------------------------------------------------------

function toggleAccount() {
  $("verify-pending").hidden = Boolean(state.user?.is_verified);
  if (toggle("account")) $("current-password").focus();
}

async function onChangePassword(event) {
  event.preventDefault();
  try {
    // The answer renews the session cookie: this page stays logged in, every other session ends.
    await api("PUT", "/api/auth/password", { current_password: $("current-password").value, new_password: $("changed-password").value });
    $("current-password").value = $("changed-password").value = "";
    say(S.password_changed);
  } catch (error) { warn(error); }
}

async function onDeleteAccount(event) {
  event.preventDefault();
  if (!window.confirm(S.delete_confirm)) return;
  try {
    await api("DELETE", "/api/auth/me", { password: $("delete-password").value });
    $("delete-password").value = "";
    await api("DELETE", "/api/auth/session").catch(() => {});
    signedOut();
    say(S.account_deleted);
  } catch (error) { warn(error); }
}

async function onResend() {
  try { const answer = await api("POST", "/api/auth/verify/resend"); say(answer.message); } catch (error) { warn(error); }
}

// -- start ---------------------------------------------------------------------------------

function wire() {
  const handlers = [
    ["auth-form", "submit", onAuth],
    ["auth-switch", "click", () => showAuth(mode === "login" ? "register" : "login")],
    ["auth-forgot", "click", () => showAuth("forgot")],
    ["reset-form", "submit", onReset],
    ["logout", "click", onLogout],
    ["speak-form", "submit", onGenerate],
    ["stop", "click", onStop],
    ["save-default", "click", onSaveDefault],
    ["favourite", "click", onFavourite],
    ["voice", "change", showFavourite],
    ["filter-lang", "change", () => showVoices()],
    ["filter-gender", "change", () => showVoices()],
    ["preview", "click", onPreview],
    ["speed", "input", showSpeed],
    ["text", "input", showCount],
    ["history-more", "click", () => loadHistory(false).catch(warn)],
    ["speak-form", "input", showJobSettings],
    ["speak-form", "change", showJobSettings],
    ["jobs-toggle", "click", () => toggleJobs().catch(warn)],
    ["job-form", "submit", onStartJob],
    ["jobs-more", "click", () => loadJobs(false).catch(warn)],
    ["keys-toggle", "click", () => toggleKeys().catch(warn)],
    ["key-form", "submit", onCreateKey],
    ["copy-key", "click", onCopyKey],
    ["account-toggle", "click", toggleAccount],
    ["password-form", "submit", onChangePassword],
    ["delete-form", "submit", onDeleteAccount],
    ["resend", "click", onResend],
    ["lang-switch", "change", () => $("lang-form").submit()],
  ];
  for (const [id, event, handler] of handlers) $(id).addEventListener(event, handler);
  $("text-lang").value = PAGE_LANG;
  showCount();
}

async function start() {
  wire();
  // Links from emails: /?reset=TOKEN opens the new-password form, /?verify=TOKEN verifies.
  const params = new URLSearchParams(location.search);
  state.resetToken = params.get("reset");
  const verify = params.get("verify");
  if (state.resetToken || verify) history.replaceState(null, "", "/");
  if (verify) {
    try { await api("POST", "/api/auth/verify", { token: verify }); say(S.verified); } catch (error) { warn(error); }
  }
  if (state.resetToken) return showReset();
  const me = await fetch("/api/auth/me", { credentials: "same-origin" });
  if (me.ok) await signedIn(await me.json());
  else signedOut();
}

start().catch(warn);
