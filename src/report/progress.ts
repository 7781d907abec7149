import type { Phase, RunEvent } from '../record/run-record.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Live progress of a drill on stderr: on a TTY one status line that updates
 * (spinner, phase, elapsed) with notes scrolling above it; in CI or when piped,
 * one timestamped line per phase and note.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  private readonly t0 = Date.now();
  private phaseAt = Date.now();
  private scenario = '';
  private phase = '';
  private detail = '';
  private frame = 0;
  private timer?: NodeJS.Timeout;

  private stamp(): string {
    return `+${((Date.now() - this.t0) / 1000).toFixed(1).padStart(6)}s`;
  }

  private draw(): void {
    if (!this.tty || !this.phase) return;
    const took = ((Date.now() - this.phaseAt) / 1000).toFixed(1);
    const line = `${FRAMES[this.frame++ % FRAMES.length]} ${this.scenario}  ${this.phase} ${took}s  ${this.detail}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
  }

  private line(msg: string): void {
    if (this.tty) process.stderr.write(`\r\x1b[2K${this.stamp()} ${msg}\n`);
    else process.stderr.write(`${this.stamp()} ${msg}\n`);
    this.draw();
  }

  start(scenario: string): void {
    this.scenario = scenario;
    if (this.tty && !this.timer) this.timer = setInterval(() => this.draw(), 120);
  }

  onPhase = (p: Phase, note?: string): void => {
    this.phase = p;
    this.detail = note ?? '';
    this.phaseAt = Date.now();
    if (p === 'done') {
      this.stop();
      this.line(`${this.scenario}: ${note}`);
      return;
    }
    this.line(`${this.scenario} ${p}${note ? `: ${note}` : ''}`);
  };

  onNote = (msg: string): void => {
    this.line(`${this.scenario}   ${msg}`);
  };

  /** The run record's events as they come: phases and notes are shown, the rest is data. */
  onEvent = (ev: RunEvent): void => {
    if (ev.e === 'phase') this.onPhase(ev.phase, ev.note);
    else if (ev.e === 'note') this.onNote(ev.text);
  };

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) process.stderr.write('\r\x1b[2K');
  }
}
