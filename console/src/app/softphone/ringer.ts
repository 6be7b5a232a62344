/**
 * A ring tone made with Web Audio (no audio file to ship or fetch): the classic 440+480 Hz pair,
 * two seconds on, four off.
 */
export class Ringer {
  private context: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  muted = false;

  start(): void {
    if (this.timer || this.muted) return;
    try {
      this.context ??= new AudioContext();
      void this.context.resume();
    } catch {
      return;
    }
    this.burst();
    this.timer = setInterval(() => this.burst(), 6000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private burst(): void {
    const ctx = this.context;
    if (!ctx) return;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0, ctx.currentTime);
    gain.gain.linearRampToValueAtTime(0.08, ctx.currentTime + 0.05);
    gain.gain.setValueAtTime(0.08, ctx.currentTime + 1.9);
    gain.gain.linearRampToValueAtTime(0, ctx.currentTime + 2);
    gain.connect(ctx.destination);
    for (const frequency of [440, 480]) {
      const osc = ctx.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start();
      osc.stop(ctx.currentTime + 2);
    }
  }
}
