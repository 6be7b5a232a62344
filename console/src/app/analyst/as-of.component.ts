import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { STATE_CLASS, STATE_LABELS, languageName } from '../agent/desk-logic';
import { Api } from '../core/authed-api.service';
import { ClockService } from '../core/clock.service';
import { formatDuration, fromLocalInput, secondsSince, toLocalInput } from '../core/time';
import { QUEUES_AS_OF } from '../graphql/documents';
import type { Agent, Queue } from '../graphql/types';

/** The queues and agents as they were at a chosen past time (or event position), replayed from the event history. */
@Component({
  selector: 'cs-as-of',
  imports: [FormsModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-head"><h1>Queues as of</h1><span class="sub">{{ shown() }}</span></div>
      <form class="card controls" (ngSubmit)="show()">
        <div class="seg">
          <button type="button" [class.active]="mode() === 'time'" (click)="mode.set('time')">Time</button>
          <button type="button" [class.active]="mode() === 'position'" (click)="mode.set('position')">Event position</button>
        </div>
        @if (mode() === 'time') {
          <input type="datetime-local" step="1" name="at" [(ngModel)]="at" aria-label="Time" data-testid="as-of-time" />
          <div class="row">
            @for (s of steps; track s.label) { <button type="button" class="small" (click)="shift(s.ms)">{{ s.label }}</button> }
          </div>
          <label class="row small slider">1 h ago
            <input type="range" min="0" max="3600" step="15" [ngModel]="ago()" (ngModelChange)="slide($event)" name="ago" aria-label="How long ago" />
            now
          </label>
        } @else {
          <input name="position" [(ngModel)]="position" placeholder="e.g. 1234" aria-label="Event position" />
        }
        <button class="primary" type="submit" [disabled]="loading()" data-testid="as-of-show">{{ loading() ? 'Replaying…' : 'Show' }}</button>
      </form>
      @if (error(); as e) { <p class="error-text">{{ e }}</p> }
      @if (queues(); as qs) {
        <section class="card" data-testid="as-of-queues">
          <header><h2>Queues</h2></header>
          <div class="body flush">
            <table class="data">
              <thead><tr><th>Queue</th><th class="right">Waiting</th><th class="right">Ringing</th><th class="right">Callbacks</th><th class="right">Longest wait</th><th class="right">Agents ready · on call · wrap · break · offline</th></tr></thead>
              @for (q of qs; track q.id) {
                <tr><td><strong>{{ q.name ?? q.id }}</strong></td><td class="right num">{{ q.waiting }}</td><td class="right num">{{ q.ringing }}</td><td class="right num">{{ q.callbacks }}</td><td class="right num">{{ q.waiting ? dur(q.longestWaitSeconds) : '–' }}</td><td class="right num">{{ q.agents.ready }} · {{ q.agents.onCall }} · {{ q.agents.wrapUp }} · {{ q.agents.break }} · {{ q.agents.offline }}</td></tr>
              }
            </table>
          </div>
        </section>
        <div class="grid two">
          <section class="card" data-testid="as-of-waiting">
            <header><h2>Waiting then</h2></header>
            <div class="body flush">
              <table class="data">
                <thead><tr><th>Queue</th><th>#</th><th>Caller</th><th>Needs</th><th class="right">Had waited</th><th>Why</th></tr></thead>
                @for (c of waiting(); track c.entryId) {
                  <tr>
                    <td>{{ c.queueName }}</td><td class="num">{{ c.position }}</td>
                    <td><a [routerLink]="['/calls', c.callId]" class="mono">{{ c.caller.number ?? 'withheld' }}</a></td>
                    <td class="small">{{ lang(c.attributes.language) ?? '' }} {{ c.attributes.department ?? '' }}</td>
                    <td class="right num">{{ dur(c.waitedSeconds) }}</td>
                    <td class="small muted">{{ c.state === 'RINGING' ? 'ringing ' + (c.offer?.agentIds?.join(', ') ?? '') : (c.waitingReason ?? '') }}</td>
                  </tr>
                } @empty { <tr><td colspan="6" class="empty">Nobody was waiting.</td></tr> }
              </table>
            </div>
          </section>
          <section class="card">
            <header><h2>Agents then</h2></header>
            <div class="body flush">
              <table class="data">
                <thead><tr><th>Agent</th><th>State</th><th class="right">In state for</th><th>Call</th></tr></thead>
                @for (a of agents(); track a.id) {
                  <tr>
                    <td>{{ a.name ?? a.id }}</td>
                    <td><span [class]="stateClass(a)"><strong>{{ stateLabel(a) }}</strong></span></td>
                    <td class="right num">{{ inState(a) }}</td>
                    <td>@if (a.currentCall) { <a [routerLink]="['/calls', a.currentCall.callId]">open</a> }</td>
                  </tr>
                }
              </table>
            </div>
          </section>
        </div>
      }
    </div>
  `,
  styles: `
    .controls { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; padding: 10px 14px; }
    .seg { display: inline-flex; }
    .seg button { border-radius: 0; }
    .seg button:first-child { border-radius: 6px 0 0 6px; }
    .seg button:last-child { border-radius: 0 6px 6px 0; }
    .slider input { width: 220px; }
    .two { grid-template-columns: 1fr 1fr; }
    @media (max-width: 1100px) { .two { grid-template-columns: 1fr; } }
  `,
})
export class AsOfComponent {
  private readonly api = inject(Api);
  private readonly clock = inject(ClockService);
  protected readonly steps = [
    { label: '−1 min', ms: -60_000 },
    { label: '−5 min', ms: -300_000 },
    { label: '−1 h', ms: -3_600_000 },
    { label: '+1 min', ms: 60_000 },
  ];
  protected readonly mode = signal<'time' | 'position'>('time');
  protected readonly at = signal(toLocalInput(this.clock.current() - 60_000));
  protected readonly position = signal('');
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly queues = signal<Queue[] | null>(null);
  private readonly agentList = signal<Agent[]>([]);
  private readonly shownAt = signal<{ at: string | null; position: string | null } | null>(null);
  private slideTimer: ReturnType<typeof setTimeout> | null = null;

  protected readonly ago = computed(() => {
    const at = fromLocalInput(this.at());
    return at ? Math.max(0, Math.min(3600, 3600 - Math.round((this.clock.current() - Date.parse(at)) / 1000))) : 3600;
  });
  protected readonly agents = computed(() => [...this.agentList()].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id)));
  protected readonly waiting = computed(() => (this.queues() ?? []).flatMap((q) => q.calls.map((c) => ({ ...c, queueName: q.name ?? q.id }))));
  protected readonly shown = computed(() => {
    const s = this.shownAt();
    if (!s) return '';
    return s.at ? `replayed to ${new Date(s.at).toLocaleString()}` : `replayed to event #${s.position}`;
  });

  protected dur = formatDuration;
  protected lang = languageName;

  constructor() {
    // Opened from a call's timeline: the queues as of that event.
    const params = inject(ActivatedRoute).snapshot.queryParamMap;
    const position = params.get('position');
    const at = params.get('at');
    if (position) {
      this.mode.set('position');
      this.position.set(position);
    } else if (at && !Number.isNaN(Date.parse(at))) {
      this.at.set(toLocalInput(Date.parse(at)));
    }
    void this.show();
  }

  protected shift(ms: number): void {
    const current = fromLocalInput(this.at());
    const base = current ? Date.parse(current) : this.clock.current();
    this.at.set(toLocalInput(Math.min(this.clock.current(), base + ms)));
    void this.show();
  }

  protected slide(value: number): void {
    this.at.set(toLocalInput(this.clock.current() - (3600 - Number(value)) * 1000));
    if (this.slideTimer) clearTimeout(this.slideTimer);
    this.slideTimer = setTimeout(() => void this.show(), 250);
  }

  protected async show(): Promise<void> {
    const vars = this.mode() === 'time' ? { at: fromLocalInput(this.at()), position: null } : { at: null, position: this.position().trim() || null };
    if (!vars.at && !vars.position) {
      this.error.set('Choose a time or an event position.');
      return;
    }
    this.loading.set(true);
    try {
      const result = await this.api.query(QUEUES_AS_OF, vars);
      this.queues.set(result.queuesAsOf);
      this.agentList.set(result.agentsAsOf);
      this.shownAt.set(vars);
      this.error.set(null);
    } catch (error) {
      this.error.set(error instanceof Error ? error.message : String(error));
    } finally {
      this.loading.set(false);
    }
  }

  protected stateLabel(a: Agent): string {
    return STATE_LABELS[a.state];
  }

  protected stateClass(a: Agent): string {
    return STATE_CLASS[a.state];
  }

  /** Time in state at the replayed instant. */
  protected inState(a: Agent): string {
    return formatDuration(secondsSince(a.stateSince, this.replayedAt()));
  }

  /** The replayed instant: the chosen time, or for a position the latest event time the replay reached. */
  private readonly replayedAt = computed(() => {
    const at = this.shownAt()?.at;
    if (at) return Date.parse(at);
    const times = [...(this.queues() ?? []).map((q) => q.asOf), ...this.agentList().map((a) => a.lastEventAt)].filter((t): t is string => t !== null).map((t) => Date.parse(t));
    return times.length ? Math.max(...times) : this.clock.current();
  });
}
