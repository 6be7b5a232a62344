import { ChangeDetectionStrategy, Component, computed, inject, output } from '@angular/core';
import { formatClock, formatDuration } from '../core/time';
import { OUTCOME_TONE, nameBesides, outcomeLabel } from '../shared/labels';
import type { CallOutcome } from '../graphql/types';
import { DeskStore } from './desk.store';
import { IconComponent } from '../shared/icon.component';

/** The agent's latest calls, each with a call-back. */
@Component({
  selector: 'cs-recent-calls',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="recent-calls">
      <header><h2>Recent calls</h2></header>
      <div class="body flush">
        <table class="data">
          @for (c of calls(); track c.id) {
            <tr>
              <td>
                <div class="mono">{{ c.callerNumber ?? '–' }}</div>
                <div class="muted small">{{ name(c.caller.name, c.callerNumber) }} {{ time(c.startedAt) }} · {{ duration(c.durationSeconds) }}</div>
              </td>
              <td><span class="badge" [class]="'badge ' + tone(c.outcome)">{{ outcome(c.outcome) }}</span></td>
              <td class="right">
                @if (c.callerNumber && c.status === 'ENDED') {
                  <button class="small icon" (click)="callBack.emit({ number: c.callerNumber, callId: c.id })" [disabled]="store.engaged()" [title]="'Call ' + c.callerNumber + ' back'" aria-label="Call back"><cs-icon name="callback" /></button>
                }
              </td>
            </tr>
          } @empty {
            <tr><td class="empty">No calls yet today.</td></tr>
          }
        </table>
      </div>
    </section>
  `,
})
export class RecentCallsComponent {
  protected readonly name = nameBesides;
  protected readonly store = inject(DeskStore);
  readonly callBack = output<{ number: string; callId: string }>();
  protected readonly calls = computed(() => this.store.desk.value()?.recentCalls ?? []);
  protected time = formatClock;
  protected duration = formatDuration;
  protected outcome = outcomeLabel;
  protected tone = (o: CallOutcome): string => OUTCOME_TONE[o] ?? '';
}
