// Following long-form jobs: asks again every `interval` ms while one is queued or running, not
// at all when none is; tells each update, and a job's end exactly once. Pure: the API call and
// the timers are given, so Node's tests drive it without a DOM or a clock.

export const JOB_POLL_MS = 2000;

/** Queued or running: it may still change. */
export const isActive = (job) => job.status === "queued" || job.status === "running";

const realTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};

export class JobPoller {
  #jobs = new Map();  // id -> the job as last seen
  #timer = null;

  /**
   * fetchJob(id): the job now. onJob(job, ended): shows an update (awaited; `ended`: this is the
   * update that sees it end). onError(error): a poll failed. enabled(): may it poll (signed in)?
   */
  constructor({ fetchJob, onJob, onError, enabled = () => true, interval = JOB_POLL_MS, timers = realTimers }) {
    Object.assign(this, { fetchJob, onJob, onError, enabled, interval, timers });
  }

  has(id) {
    return this.#jobs.has(id);
  }

  /** A job as seen now (listed, started, cancelled, polled); true if this update sees it end. */
  seen(job) {
    const before = this.#jobs.get(job.id);
    this.#jobs.set(job.id, job);
    return Boolean(before && isActive(before) && !isActive(job));
  }

  /** Poll in `interval` ms if a job may still change (and polling is enabled); else not at all. */
  schedule() {
    this.stop();
    if (this.enabled() && [...this.#jobs.values()].some(isActive)) {
      this.#timer = this.timers.setTimeout(() => this.refresh(), this.interval);
    }
  }

  get scheduled() {
    return this.#timer !== null;
  }

  /** Ask for every job still active, one after the other; then schedule the next poll. */
  async refresh() {
    this.#timer = null;
    try {
      for (const { id } of [...this.#jobs.values()].filter(isActive)) {
        const job = await this.fetchJob(id);
        await this.onJob(job, this.seen(job));
      }
    } catch (error) {
      this.onError(error);
      if (error.status === 401 || error.status === 404) return;  // signed out, or gone: no use asking again
    }
    this.schedule();
  }

  stop() {
    if (this.#timer !== null) this.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** No job followed any more (signed out, or the list shown again from its first page). */
  forget() {
    this.stop();
    this.#jobs.clear();
  }
}
