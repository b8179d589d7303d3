// Live playback through Web Audio: each piece of samples is played the moment it arrives, right
// after the one before, so that sound starts with the stream's first bytes (no decoder to fill,
// as MP3 through MediaSource needs). When a piece comes after the one before has ended, the
// listener heard silence: a stall, counted (the page's own measure of "playback never stalls").

/** How far ahead of the audio clock a piece is placed when nothing is playing (its first, or
 *  after a stall): the time Web Audio needs to start it without a click. */
export const LEAD = 0.05;

/**
 * Where each piece goes on the audio clock, and what the listener heard. Pure: the clock's time
 * (`now`, seconds) is given, so Node's tests drive it.
 */
export class Schedule {
  constructor() {
    this.next = null;  // where the next piece starts; null before the first
    this.runStart = null;  // where the pieces played back to back since the last silence start
    this.total = 0;  // seconds of audio placed
    this.stalls = 0;
    this.stalled = 0;  // seconds of silence between pieces
  }

  /** The time a piece of `duration` seconds, arriving at `now`, starts playing. */
  place(now, duration) {
    let at = this.next;
    if (at === null || at < now) {
      if (at !== null) {
        this.stalls += 1;
        this.stalled += now + LEAD - at;
      }
      at = now + LEAD;
      this.runStart = at;
    }
    this.next = at + duration;
    this.total += duration;
    return at;
  }

  /** Seconds of audio heard by `now`. */
  heard(now) {
    if (this.next === null) return 0;
    return Math.max(0, this.total - Math.max(0, this.next - Math.max(now, this.runStart)));
  }

  /** Whether everything placed has been played by `now`. */
  over(now) {
    return this.next !== null && now >= this.next;
  }
}

let context = null;

/** The page's audio context, made (or resumed) while the click that asks for sound is handled:
 *  browsers let sound start only from a person's gesture. */
export function audioContext() {
  if (!globalThis.AudioContext) return null;
  context ??= new AudioContext();
  if (context.state === "suspended") context.resume().catch(() => {});
  return context;
}

/** One stream's live playback on the page's audio context. */
export class LivePlayback {
  constructor(ctx) {
    this.ctx = ctx;
    this.out = ctx.createGain();
    this.out.connect(ctx.destination);
    this.schedule = new Schedule();
    this.sources = [];
  }

  /** Play `samples` (mono floats at `rate`) after what was given before; the time it starts
   *  (the audio clock's). */
  push(samples, rate) {
    if (!samples.length) return null;
    const buffer = this.ctx.createBuffer(1, samples.length, rate);
    buffer.copyToChannel(samples, 0);
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.out);
    const at = this.schedule.place(this.ctx.currentTime, buffer.duration);
    source.start(at);
    this.sources.push(source);
    source.onended = () => this.sources.splice(this.sources.indexOf(source), 1);
    return at;
  }

  heard() {
    return this.stoppedAfter ?? this.schedule.heard(this.ctx.currentTime);
  }

  playing() {
    return this.stoppedAfter === undefined && this.schedule.next !== null && !this.schedule.over(this.ctx.currentTime);
  }

  /** Resolves once everything given has been played. */
  async ended() {
    while (this.playing()) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(20, 1000 * (this.schedule.next - this.ctx.currentTime))));
    }
  }

  /** Silence now: what is scheduled is dropped. */
  stop() {
    this.stoppedAfter = this.heard();
    for (const source of this.sources.splice(0)) {
      source.onended = null;
      source.stop();
    }
    this.out.disconnect();
  }
}
