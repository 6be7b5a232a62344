import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { BREAK_REASONS, STATE_CLASS, STATE_LABELS, formatEstimate, languageName, liveWaitSeconds, remainingEstimate, waitTone } from '../agent/desk-logic';
import { ClockService } from '../core/clock.service';
import { ShortcutService } from '../core/shortcuts.service';
import { formatApproxDuration, formatClock, formatDuration, formatPercent, secondsSince } from '../core/time';
import type { Agent, AgentStatus, Queue, SupervisorRole } from '../graphql/types';
import { IconComponent } from '../shared/icon.component';
import { FloorStore, type LiveCallRow } from './floor.store';
import { LiveCallPanelComponent } from './live-call-panel.component';
import { nameBesides } from '../shared/labels';

/** The supervisor's floor: per-queue wallboard, waiting calls, calls in progress with monitor/whisper/barge, and the agent grid. */
@Component({
  selector: 'cs-floor',
  imports: [IconComponent, RouterLink, LiveCallPanelComponent],
  providers: [FloorStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-head">
        <h1>Floor</h1>
        <span class="sub" data-testid="wallboard-as-of">Updated {{ asOf() }}</span>
        <span class="spacer"></span>
        @if (store.phone.enabled()) {
          <span class="badge" [class.ok]="store.phone.registration() === 'registered'" [class.warn]="store.phone.registration() !== 'registered'" title="Supervision legs ring this softphone">
            <cs-icon name="headset" [size]="13" /> {{ store.phone.registration() === 'registered' ? 'Softphone ready to monitor' : 'Softphone ' + store.phone.registration() }}
          </span>
        }
      </div>
      @if (store.wallboard.error(); as e) { <div class="card problem" role="alert">{{ e }}</div> }

      @if (totals(); as t) {
        <div class="tiles" data-testid="totals">
          <div class="tile" [class.alert]="t.waiting > 0"><div class="label">Waiting</div><div class="value" data-testid="total-waiting">{{ t.waiting }}</div></div>
          <div class="tile" [class.alert]="longestLate()"><div class="label">Longest wait</div><div class="value">{{ longest() }}</div></div>
          <div class="tile"><div class="label">Callbacks</div><div class="value">{{ t.callbacks }}</div></div>
          <div class="tile good"><div class="label">Available</div><div class="value">{{ t.agentsAvailable }}</div></div>
          <div class="tile"><div class="label">Ringing</div><div class="value">{{ t.agentsRinging }}</div></div>
          <div class="tile"><div class="label">On call</div><div class="value" data-testid="total-on-call">{{ t.agentsOnCall }}</div></div>
          <div class="tile"><div class="label">Wrap-up</div><div class="value">{{ t.agentsWrapUp }}</div></div>
          <div class="tile"><div class="label">Break</div><div class="value">{{ t.agentsBreak }}</div></div>
          <div class="tile"><div class="label">Logged in</div><div class="value">{{ t.agentsLoggedIn }}</div></div>
        </div>
      }

      <div class="floor">
        <div class="main">
          <section class="card" data-testid="wallboard">
            <header><h2>Queues</h2><span class="muted small">today</span></header>
            <div class="body flush">
              <table class="data">
                <thead>
                  <tr>
                    <th>Queue</th><th class="right">Waiting</th><th class="right">Longest</th><th class="right">Service level</th><th class="right">ASA</th>
                    <th class="right">Answered</th><th class="right">Abandoned</th><th class="right">Agents ready · on call · wrap · break</th>
                  </tr>
                </thead>
                <tbody>
                  @for (q of queues(); track q.id) {
                    <tr [attr.data-testid]="'queue-row-' + q.id">
                      <td><strong>{{ q.name ?? q.id }}</strong><div class="muted small">{{ q.strategy }}</div></td>
                      <td class="right num"><span class="big" [class.hot]="q.waiting > 0">{{ q.waiting }}</span>@if (q.ringing) { <span class="badge warn small-badge">{{ q.ringing }} ringing</span> }</td>
                      <td class="right num" [class]="'right num ' + q.longestTone">{{ q.longest }}</td>
                      <td class="right num" [class.bad]="q.slBad">{{ q.sl }}</td>
                      <td class="right num">{{ q.asa }}</td>
                      <td class="right num">{{ q.today?.answered ?? 0 }}</td>
                      <td class="right num" [class.bad]="(q.today?.abandoned ?? 0) > 0">{{ q.today?.abandoned ?? 0 }}</td>
                      <td class="right num">{{ q.agents.ready }} · {{ q.agents.onCall }} · {{ q.agents.wrapUp }} · {{ q.agents.break }}</td>
                    </tr>
                  } @empty {
                    <tr><td colspan="8" class="empty">{{ store.wallboard.loading() ? 'Loading…' : 'No queues.' }}</td></tr>
                  }
                </tbody>
              </table>
            </div>
          </section>

          <section class="card" data-testid="floor-waiting">
            <header><h2>Waiting calls</h2></header>
            <div class="body flush">
              <table class="data">
                <thead><tr><th>Queue</th><th>#</th><th>Caller</th><th>Needs</th><th>State</th><th class="right">Waiting</th><th class="right">Estimate</th><th>Why waiting</th></tr></thead>
                <tbody>
                  @for (c of waiting(); track c.entryId) {
                    <tr [attr.data-testid]="'floor-waiting-' + c.callId">
                      <td>{{ c.queueName }}</td>
                      <td class="num">{{ c.position }}</td>
                      <td><span class="mono">{{ c.caller.number ?? c.callbackNumber ?? 'withheld' }}</span> <span class="muted small">{{ name(c.caller.name, c.caller.number) }}</span></td>
                      <td class="small">
                        @if (c.attributes.language) { <span class="badge info">{{ lang(c.attributes.language) }}</span> }
                        @for (s of c.attributes.skills; track s.skill) { <span class="badge">{{ s.skill }} {{ s.minLevel }}+</span> }
                      </td>
                      <td>
                        @if (c.state === 'RINGING') { <span class="badge warn">ringing {{ c.offer?.agentIds?.join(', ') }}</span> }
                        @else if (c.kind === 'CALLBACK') { <span class="badge violet">callback</span> }
                        @else { <span class="badge">waiting</span> }
                      </td>
                      <td class="right num" [class]="'right num ' + c.tone">{{ c.wait }}</td>
                      <td class="right small">{{ c.estimate }}</td>
                      <td class="small muted">{{ c.waitingReason ?? '' }}</td>
                    </tr>
                  } @empty {
                    <tr><td colspan="8" class="empty">No one is waiting.</td></tr>
                  }
                </tbody>
              </table>
            </div>
          </section>

          <section class="card" data-testid="live-calls">
            <header><h2>Calls in progress</h2><span class="muted small">{{ store.liveCalls().length }}</span></header>
            <div class="body flush">
              <table class="data">
                <thead><tr><th>Agent</th><th>Caller</th><th>Queue</th><th class="right">Talking</th><th>State</th><th>Supervise</th></tr></thead>
                <tbody>
                  @for (row of store.liveCalls(); track row.callId) {
                    <tr class="clickable" [class.selected]="selected() === row.callId" (click)="selected.set(row.callId)" [attr.data-testid]="'live-call-' + row.callId">
                      <td><strong>{{ row.agent.name ?? row.agent.id }}</strong></td>
                      <td><span class="mono">{{ row.call?.callerNumber ?? '…' }}</span> <span class="muted small">{{ name(row.call?.caller?.name, row.call?.callerNumber) }}</span></td>
                      <td>{{ queueName(row.queueId) }}</td>
                      <td class="right num">{{ talking(row) }}</td>
                      <td>
                        @if (row.held) { <span class="badge violet">on hold</span> }
                        @if (row.call?.recording === 'ON') { <span class="badge danger">REC</span> }
                        @for (s of activeSupervision(row); track s.supervisorId) { <span class="badge brand">{{ s.supervisorId }} {{ s.mode.toLowerCase() }}</span> }
                      </td>
                      <td (click)="$event.stopPropagation()">
                        <div class="row">
                          @for (r of roles; track r.role) {
                            <button class="small" [class.active]="mine(row)?.mode?.toUpperCase() === r.role" [disabled]="!canSupervise(row) || store.busy() === 'supervise:' + row.callId"
                              (click)="store.supervise(row.callId, r.role, row.call)" [title]="r.hint" [attr.data-testid]="r.role.toLowerCase() + '-' + row.callId">
                              <cs-icon [name]="r.icon" [size]="13" /> {{ r.label }}
                            </button>
                          }
                          @if (mine(row)) {
                            <button class="small danger" (click)="store.endSupervision(row.callId)" [disabled]="store.busy() === 'supervise:' + row.callId">Leave</button>
                          }
                        </div>
                      </td>
                    </tr>
                  } @empty {
                    <tr><td colspan="6" class="empty">No calls in progress.</td></tr>
                  }
                </tbody>
              </table>
            </div>
          </section>

          @if (selectedRow(); as row) {
            <cs-live-call-panel [callId]="row.callId" [agentName]="row.agent.name ?? row.agent.id" (closed)="selected.set(null)" />
          }
        </div>

        <aside class="card" data-testid="agent-grid">
          <header><h2>Agents</h2><span class="spacer"></span><span class="muted small">{{ agents().length }}</span></header>
          <div class="agents">
            @for (a of agents(); track a.id) {
              <div class="agent" [class]="'agent ' + stateClass(a)" [attr.data-testid]="'agent-' + a.id">
                <div class="row">
                  <span class="dot"></span>
                  <strong class="name">{{ a.name ?? a.id }}</strong>
                  @if (a.supervisor) { <span class="badge small-badge">sup</span> }
                  <span class="spacer"></span>
                  <span class="num time" [attr.data-testid]="'agent-time-' + a.id">{{ timeInState(a) }}</span>
                </div>
                <div class="row detail">
                  <span class="state-label" [attr.data-testid]="'agent-state-' + a.id">{{ stateLabel(a) }}</span>
                  @if (a.device && !a.device.registered && a.status !== 'OFFLINE') { <span class="badge danger small-badge" title="The softphone is not registered: calls cannot reach this agent">no phone</span> }
                  @if (a.missedInARow > 0) { <span class="badge warn small-badge">{{ a.missedInARow }} missed</span> }
                  <span class="spacer"></span>
                  <span class="muted small">{{ a.today.callsHandled }} calls</span>
                </div>
                <div class="row actions">
                  <select (change)="setStatus(a, $event)" [disabled]="store.busy() === 'agent:' + a.id" [attr.aria-label]="'Set status of ' + (a.name ?? a.id)" [attr.data-testid]="'agent-status-' + a.id">
                    <option value="" selected disabled>Set status…</option>
                    <option value="AVAILABLE">Available</option>
                    @for (r of breakReasons; track r) { <option [value]="'BREAK:' + r">Break · {{ r }}</option> }
                    <option value="OFFLINE">Offline</option>
                  </select>
                  <button class="small" (click)="logout(a)" [disabled]="a.status === 'OFFLINE' || store.busy() === 'agent:' + a.id">Log out</button>
                  @if (a.currentCall) { <a class="small" [routerLink]="['/calls', a.currentCall.callId]">Call</a> }
                </div>
              </div>
            } @empty {
              <p class="empty">No agents.</p>
            }
          </div>
        </aside>
      </div>
    </div>
  `,
  styles: `
    .floor { display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 16px; align-items: start; }
    .main { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
    .big { font-size: 17px; font-weight: 700; }
    .big.hot { color: var(--danger); }
    .small-badge { font-size: 10.5px; padding: 0 6px; margin-left: 4px; }
    td.bad { color: var(--danger); font-weight: 650; }
    td.warn { color: var(--warn); font-weight: 650; }
    td.late { color: var(--danger); font-weight: 650; }
    .problem { padding: 10px 14px; background: var(--danger-soft); color: var(--danger); }
    .agents { display: flex; flex-direction: column; max-height: calc(100vh - 260px); overflow: auto; }
    .agent { padding: 10px 14px; border-bottom: 1px solid var(--border); display: flex; flex-direction: column; gap: 4px; border-left: 4px solid currentColor; }
    .agent .name { color: var(--text); }
    .agent .detail { color: var(--text-2); font-size: 12.5px; }
    .agent .state-label { color: inherit; font-weight: 650; }
    .agent .time { font-size: 15px; font-weight: 650; color: var(--text); }
    .agent .actions select { min-height: 26px; padding: 2px 6px; font-size: 12.5px; }
    @media (max-width: 1200px) { .floor { grid-template-columns: 1fr; } }
  `,
})
export class FloorComponent {
  protected readonly name = nameBesides;
  protected readonly store = inject(FloorStore);
  private readonly clock = inject(ClockService);
  protected readonly breakReasons = BREAK_REASONS;
  protected readonly selected = signal<string | null>(null);
  protected readonly lang = languageName;
  protected readonly roles: Array<{ role: SupervisorRole; label: string; icon: string; hint: string }> = [
    { role: 'MONITOR', label: 'Monitor', icon: 'eye', hint: 'Listen without being heard' },
    { role: 'WHISPER', label: 'Whisper', icon: 'whisper', hint: 'Speak to the agent only' },
    { role: 'BARGE', label: 'Barge', icon: 'barge', hint: 'Join the conversation' },
  ];

  protected readonly totals = computed(() => this.store.wallboard.value()?.totals ?? null);
  protected readonly agents = computed(() => [...(this.store.wallboard.value()?.agents ?? [])].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id)));
  protected readonly asOf = computed(() => formatClock(this.store.wallboard.value()?.asOf));
  protected readonly selectedRow = computed(() => this.store.liveCalls().find((r) => r.callId === this.selected()) ?? null);

  protected readonly queues = computed(() => {
    const now = this.clock.now();
    return (this.store.wallboard.value()?.queues ?? []).map((q: Queue) => {
      const longestSeconds = q.oldestEnqueuedAt ? (secondsSince(q.oldestEnqueuedAt, now) ?? 0) : 0;
      const sl = q.today?.serviceLevel ?? null;
      return {
        ...q,
        longest: q.waiting > 0 ? formatDuration(Math.max(longestSeconds, q.longestWaitSeconds)) : '–',
        longestTone: q.waiting > 0 ? waitTone(Math.max(longestSeconds, q.longestWaitSeconds), q.serviceLevelThresholdSeconds) : '',
        sl: formatPercent(sl),
        slBad: sl !== null && sl < 0.8,
        asa: q.today?.asaSeconds != null ? formatApproxDuration(q.today.asaSeconds) : '–',
      };
    });
  });

  protected readonly waiting = computed(() => {
    const now = this.clock.now();
    return (this.store.wallboard.value()?.queues ?? []).flatMap((q) =>
      q.calls.map((c) => {
        const wait = liveWaitSeconds(c, q.asOf, now);
        return {
          ...c,
          queueName: q.name ?? q.id,
          wait: formatDuration(wait),
          tone: waitTone(wait, q.serviceLevelThresholdSeconds),
          estimate: formatEstimate(remainingEstimate(c.estimatedWaitSeconds, q.asOf, now)),
        };
      }),
    );
  });

  protected readonly longest = computed(() => {
    const now = this.clock.now();
    const ages = (this.store.wallboard.value()?.queues ?? []).filter((q) => q.waiting > 0).map((q) => Math.max(q.longestWaitSeconds, secondsSince(q.oldestEnqueuedAt, now) ?? 0));
    return ages.length ? formatDuration(Math.max(...ages)) : '–';
  });
  protected readonly longestLate = computed(() => (this.store.wallboard.value()?.queues ?? []).some((q) => q.waiting > 0 && q.longestWaitSeconds >= (q.serviceLevelThresholdSeconds ?? 30)));

  constructor() {
    inject(ShortcutService).register([
      { key: 'Escape', group: 'Floor', description: 'Close the call panel', enabled: () => this.selected() !== null, run: () => this.selected.set(null) },
    ]);
  }

  protected stateLabel(a: Agent): string {
    return a.state === 'BREAK' && a.breakReason ? `${STATE_LABELS[a.state]} · ${a.breakReason}` : STATE_LABELS[a.state];
  }

  protected stateClass(a: Agent): string {
    return STATE_CLASS[a.state];
  }

  protected timeInState(a: Agent): string {
    return formatDuration(secondsSince(a.stateSince, this.clock.now()));
  }

  protected talking(row: LiveCallRow): string {
    return formatDuration(secondsSince(row.since, this.clock.now()));
  }

  protected queueName(id: string | null): string {
    return id ? (this.store.queueNames().get(id) ?? id) : '–';
  }

  protected activeSupervision(row: LiveCallRow) {
    return row.call?.supervision.filter((s) => !s.endedAt) ?? [];
  }

  protected mine(row: LiveCallRow) {
    return this.store.mySupervision(row.call);
  }

  protected canSupervise(row: LiveCallRow): boolean {
    return this.store.me() !== null && row.agent.id !== this.store.me();
  }

  protected setStatus(agent: Agent, event: Event): void {
    const select = event.target as HTMLSelectElement;
    const value = select.value;
    select.value = '';
    if (!value) return;
    const [status, reason] = value.split(':') as [AgentStatus, string | undefined];
    void this.store.setStatus(agent.id, status, reason ?? null);
  }

  protected logout(agent: Agent): void {
    if (confirm(`Log ${agent.name ?? agent.id} out? They stop receiving calls until they sign in again.`)) void this.store.logout(agent.id);
  }
}
