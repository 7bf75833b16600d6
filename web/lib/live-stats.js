// live.stats: smoothed frames per second, filter ms and whole-frame ms, and the last filter
// times for a median.
const WEIGHT = 0.1;    // exponential smoothing: each new sample moves the average by 10 %
const RECENT = 64;     // filter times kept for the median

export class FrameStats {
  fps = 0;
  ms = 0;          // filter (engine) time per frame, smoothed
  frameMs = 0;     // read-back + filter + draw per frame, smoothed
  frames = 0;      // frames processed
  dropped = 0;     // frames skipped because one was still in flight
  #lastAt = 0;
  #recent = new Float64Array(RECENT);
  #n = 0;              // samples since the last reset (the ring keeps the last RECENT)

  // One processed frame, finished at time `now` (ms), whose filters took filterMs.
  add(now, filterMs, totalMs = filterMs) {
    this.frames++;
    this.frameMs = smooth(this.frameMs, totalMs);
    if (this.#lastAt) this.fps = smooth(this.fps, 1000 / Math.max(1, now - this.#lastAt));
    this.#lastAt = now;
    this.ms = smooth(this.ms, filterMs);
    this.#recent[this.#n++ % RECENT] = filterMs;
  }

  // Median filter time over the last (up to) RECENT frames since the last reset.
  median() {
    const n = Math.min(this.#n, RECENT);
    return Array.from(this.#recent.subarray(0, n)).sort((a, b) => a - b)[n >> 1];
  }

  reset() {
    this.#n = 0;
  }

  get count() {
    return this.#n;
  }
}

// The first sample starts the average.
function smooth(average, sample) {
  return average ? average * (1 - WEIGHT) + sample * WEIGHT : sample;
}
