import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ClockService } from '../core/clock.service';
import { countdown } from './desk-logic';
import { DeskStore } from './desk.store';

export const DISPOSITIONS = ['Resolved', 'Sale', 'Follow-up needed', 'Callback scheduled', 'Escalated', 'Complaint', 'Wrong number', 'Other'] as const;

/** After-call work: disposition and notes, with the time left before wrap-up ends on its own. */
@Component({
  selector: 'cs-wrap-up',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="card wrap" (ngSubmit)="submit()" data-testid="wrap-up">
      <header>
        <h2>Wrap-up</h2>
        <span class="muted">{{ caller() }}</span>
        <span class="spacer"></span>
        @if (left(); as c) {
          <span class="badge" [class.danger]="c.secondsLeft <= 5" data-testid="wrap-up-countdown">{{ c.overdue ? 'Time is up' : c.text + ' left' }}</span>
        }
      </header>
      @if (left(); as c) {
        <div class="progress" role="progressbar" [attr.aria-valuenow]="c.secondsLeft" aria-label="Wrap-up time left"><div [style.width.%]="c.fraction * 100"></div></div>
      }
      <div class="body stack">
        <fieldset class="dispositions">
          <legend>Disposition</legend>
          @for (d of dispositions; track d; let i = $index) {
            <label class="choice" [class.selected]="disposition() === d">
              <input type="radio" name="disposition" [value]="d" [(ngModel)]="disposition" [attr.data-testid]="'disposition-' + i" />
              <kbd>{{ i + 1 }}</kbd> {{ d }}
            </label>
          }
        </fieldset>
        <label class="field">Notes
          <textarea name="notes" [(ngModel)]="notes" rows="3" placeholder="What was the call about, what was agreed…" data-testid="wrap-up-notes"></textarea>
        </label>
        <div class="row">
          <button class="primary" type="submit" [disabled]="!disposition() || store.busy() === 'wrapup'" data-testid="wrap-up-submit">Complete wrap-up <kbd>Enter</kbd></button>
          <span class="muted small">Number keys pick a disposition.</span>
        </div>
      </div>
    </form>
  `,
  styles: `
    .wrap { border-color: #c9b8ff; }
    .progress { height: 4px; background: var(--violet-soft); }
    .progress div { height: 100%; background: var(--violet); transition: width 1s linear; }
    fieldset { border: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 6px; }
    legend { font-size: 12px; font-weight: 600; color: var(--text-2); margin-bottom: 6px; }
    .choice { display: flex; align-items: center; gap: 6px; border: 1px solid var(--border); border-radius: 6px; padding: 6px 8px; cursor: pointer; }
    .choice.selected { border-color: var(--violet); background: var(--violet-soft); }
    .choice input { margin: 0; min-height: 0; }
  `,
})
export class WrapUpComponent {
  protected readonly store = inject(DeskStore);
  private readonly clock = inject(ClockService);
  protected readonly dispositions = DISPOSITIONS;
  protected readonly disposition = signal<string>('');
  protected readonly notes = signal('');

  protected readonly left = computed(() => {
    const w = this.store.wrapUp();
    return w ? countdown(w.since, this.store.desk.value()?.wrapUpDeadline ?? w.until, this.clock.now()) : null;
  });
  protected readonly caller = computed(() => {
    const recent = this.store.desk.value()?.recentCalls.find((c) => c.id === this.store.wrapUp()?.callId);
    return recent ? (recent.caller.name ?? recent.callerNumber ?? '') : '';
  });

  /** Number keys 1-8 choose a disposition (the desk registers them while wrap-up is shown). */
  choose(index: number): void {
    const d = this.dispositions[index];
    if (d) this.disposition.set(d);
  }

  async submit(): Promise<void> {
    if (!this.disposition()) return;
    if (await this.store.completeWrapUp(this.disposition(), this.notes().trim())) {
      this.disposition.set('');
      this.notes.set('');
    }
  }
}
