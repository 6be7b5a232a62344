import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ClockService } from '../core/clock.service';
import { formatDuration } from '../core/time';
import type { AgentStatus } from '../graphql/types';
import { BREAK_REASONS, STATE_CLASS, STATE_LABELS, statusLine } from './desk-logic';
import { DeskStore } from './desk.store';

/** The agent's status, time in status, the status selector and today's totals. */
@Component({
  selector: 'cs-status-bar',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="bar card">
      <div class="state" [class]="'state ' + stateClass()" data-testid="agent-state">
        <span class="dot"></span>
        <div>
          <div class="label">{{ stateLabel() }}</div>
          <div class="since num" data-testid="time-in-state">{{ line() }}</div>
        </div>
      </div>
      <div class="choices" role="group" aria-label="Your status">
        <button [class.ok]="status() === 'AVAILABLE'" [class.current]="status() === 'AVAILABLE'" [attr.aria-pressed]="status() === 'AVAILABLE'" [disabled]="store.busy() === 'status' || status() === 'AVAILABLE'" (click)="set('AVAILABLE')" data-testid="status-available" title="Take calls">Available</button>
        <div class="break">
          <select [(ngModel)]="reason" aria-label="Break reason" data-testid="break-reason">
            @for (r of reasons; track r) { <option [value]="r">{{ r }}</option> }
          </select>
          <button [class.active]="status() === 'BREAK'" [class.current]="status() === 'BREAK'" [attr.aria-pressed]="status() === 'BREAK'" [disabled]="store.busy() === 'status' || (status() === 'BREAK' && currentReason() === reason())" (click)="set('BREAK')" data-testid="status-break">Break</button>
        </div>
        <button [class.current]="status() === 'OFFLINE'" [attr.aria-pressed]="status() === 'OFFLINE'" [disabled]="store.busy() === 'status' || status() === 'OFFLINE'" (click)="set('OFFLINE')" data-testid="status-offline" title="Stop taking calls">Offline</button>
      </div>
      <span class="spacer"></span>
      @if (agent(); as a) {
        <div class="today">
          <div><span class="k">Calls</span><span class="v num">{{ a.today.callsHandled }}</span></div>
          <div><span class="k">Talk</span><span class="v num">{{ fmt(a.today.talkSeconds) }}</span></div>
          <div><span class="k">Hold</span><span class="v num">{{ fmt(a.today.holdSeconds) }}</span></div>
          <div><span class="k">Wrap-up</span><span class="v num">{{ fmt(a.today.wrapUpSeconds) }}</span></div>
          <div [class.alert]="a.missedInARow > 0"><span class="k">Missed</span><span class="v num">{{ a.today.offersMissed }}</span></div>
        </div>
      }
    </div>
  `,
  styles: `
    .bar { display: flex; align-items: center; gap: 18px; padding: 10px 14px; flex-wrap: wrap; }
    .state { display: flex; align-items: center; gap: 10px; min-width: 200px; }
    .state .dot { width: 12px; height: 12px; }
    .label { font-weight: 700; font-size: 16px; }
    .since { color: var(--muted); font-size: 12.5px; }
    .choices { display: flex; gap: 6px; align-items: center; }
    .break { display: flex; }
    .break select { border-top-right-radius: 0; border-bottom-right-radius: 0; border-right: none; min-width: 120px; }
    .break button { border-top-left-radius: 0; border-bottom-left-radius: 0; }
    .today { display: flex; gap: 18px; }
    .today div { display: flex; flex-direction: column; align-items: flex-end; }
    .today .k { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; font-weight: 600; }
    .today .v { font-size: 15px; font-weight: 650; }
    .today .alert .v { color: var(--danger); }
  `,
})
export class StatusBarComponent {
  protected readonly store = inject(DeskStore);
  private readonly clock = inject(ClockService);
  protected readonly reasons = BREAK_REASONS;
  protected readonly reason = signal<string>(BREAK_REASONS[0]);

  protected readonly agent = this.store.agent;
  protected readonly status = computed<AgentStatus>(() => this.agent()?.status ?? 'OFFLINE');
  protected readonly currentReason = computed(() => this.agent()?.breakReason ?? null);
  protected readonly stateLabel = computed(() => {
    const a = this.agent();
    if (!a) return 'Loading…';
    return a.state === 'BREAK' && a.breakReason ? `${STATE_LABELS[a.state]} · ${a.breakReason}` : STATE_LABELS[a.state];
  });
  protected readonly stateClass = computed(() => STATE_CLASS[this.agent()?.state ?? 'OFFLINE']);
  protected readonly line = computed(() => {
    const a = this.agent();
    if (!a) return '';
    const text = statusLine(a.state, a.stateSince, null, this.clock.now());
    const since = text.split(' · ')[1];
    return since ? `for ${since}` : '';
  });

  protected fmt = formatDuration;

  protected set(status: AgentStatus): void {
    void this.store.setStatus(status, status === 'BREAK' ? this.reason() : null);
  }
}
