// Uncompressed audio as it arrives: a streamed WAV's header (its sizes unknown while it streams)
// or bare PCM (s16le, 24 kHz, mono), turned into samples piece by piece for Web Audio, and the
// whole of it written back as a WAV file once it has all come (the player then holds it).

export const PCM_RATE = 24000;
const HEADER_MAX = 4096;  // a WAV whose "data" chunk starts later than this is not one we made

const text = (bytes, at) => String.fromCharCode(...bytes.subarray(at, at + 4));

/**
 * The format of a WAV header at the start of `bytes`: {rate, channels, bits, dataStart}; null
 * while more bytes are needed; an Error if these bytes are not a 16-bit PCM WAV.
 */
export function readWavHeader(bytes) {
  if (bytes.length < 12) return null;
  if (text(bytes, 0) !== "RIFF" || text(bytes, 8) !== "WAVE") return new Error("not a WAV stream");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format = null;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = text(bytes, at);
    const size = view.getUint32(at + 4, true);
    if (id === "data") {
      if (!format) return new Error("a WAV stream without its format");
      return { ...format, dataStart: at + 8 };
    }
    if (id === "fmt " && at + 24 <= bytes.length) {
      format = { channels: view.getUint16(at + 10, true), rate: view.getUint32(at + 12, true),
        bits: view.getUint16(at + 22, true) };
      if (view.getUint16(at + 8, true) !== 1 || format.bits !== 16) return new Error("not 16-bit PCM");
    } else if (id === "fmt ") {
      return null;
    }
    at += 8 + size + (size % 2);
    if (at > HEADER_MAX) return new Error("a WAV header too long");
  }
  return bytes.length > HEADER_MAX ? new Error("a WAV header too long") : null;
}

/**
 * Bytes in, samples out: `push(bytes)` gives the mono float samples those bytes complete (a
 * sample cut between two pieces waits for the next); `format` once known. `wav`: the bytes
 * start with a WAV header, else they are bare PCM at 24 kHz, mono.
 */
export class PcmDecoder {
  constructor(wav) {
    this.format = wav ? null : { rate: PCM_RATE, channels: 1, bits: 16 };
    this.pending = new Uint8Array(0);
    this.kept = [];  // every sample's bytes, for the WAV file at the end
  }

  push(bytes) {
    let data = this.pending.length ? concat([this.pending, bytes]) : bytes;
    if (!this.format) {
      const header = readWavHeader(data);
      if (header instanceof Error) throw header;
      if (!header) {
        this.pending = data.slice();
        return new Float32Array(0);
      }
      this.format = header;
      data = data.subarray(header.dataStart);
    }
    const frame = 2 * this.format.channels;
    const whole = data.length - (data.length % frame);
    this.pending = data.slice(whole);
    const usable = data.slice(0, whole);
    this.kept.push(usable);
    return toSamples(usable, this.format.channels);
  }

  /** What came, as a WAV file (for the player: replay, seek, download). */
  wav() {
    const format = this.format ?? { rate: PCM_RATE, channels: 1 };
    return new Blob([wavHeader(format.rate, format.channels, byteLength(this.kept)), ...this.kept],
      { type: "audio/wav" });
  }
}

const byteLength = (pieces) => pieces.reduce((n, p) => n + p.length, 0);

function concat(pieces) {
  const out = new Uint8Array(byteLength(pieces));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Little-endian 16-bit frames to mono floats in [-1, 1) (channels averaged). */
export function toSamples(bytes, channels = 1) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 2 / channels);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += view.getInt16((i * channels + c) * 2, true);
    out[i] = sum / channels / 32768;
  }
  return out;
}

/** A 44-byte header of a 16-bit PCM WAV holding `dataBytes`. */
export function wavHeader(rate, channels, dataBytes) {
  const view = new DataView(new ArrayBuffer(44));
  const put = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  put(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  put(8, "WAVE");
  put(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  put(36, "data");
  view.setUint32(40, dataBytes, true);
  return new Uint8Array(view.buffer);
}
