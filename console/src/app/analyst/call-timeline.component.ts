import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { Api } from '../core/authed-api.service';
import { SessionStore } from '../core/session-store';
import { formatClock, formatDateTime, formatDuration } from '../core/time';
import { CALL_DETAIL, EVENT_HISTORY } from '../graphql/documents';
import type { CallDetail, RoutingDecision, StoredEvent } from '../graphql/types';
import { JsonViewComponent } from '../shared/json-view.component';
import { OUTCOME_TONE, outcomeLabel } from '../shared/labels';
import { RecordingPlayerComponent } from '../shared/recording-player.component';
import { ScreenPopComponent } from '../shared/screen-pop.component';
import { rawWebhook } from '../shared/webhook';

/** One call replayed: what happened in order, why it was routed as it was, and each raw webhook behind it. */
@Component({
  selector: 'cs-call-timeline',
  imports: [RouterLink, JsonViewComponent, RecordingPlayerComponent, ScreenPopComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      @if (error(); as e) { <p class="error-text" role="alert">{{ e }}</p> }
      @if (call(); as c) {
        <div class="page-head">
          <h1>Call <span class="mono">{{ c.callerNumber ?? '' }}</span></h1>
          <span class="badge" [class]="'badge ' + tone(c.outcome)">{{ outcome(c.outcome) }}</span>
          @if (c.endOutcome) { <span class="muted">{{ c.endOutcome }}</span> }
          <span class="spacer"></span>
          @if (canReadEvents()) { <a [routerLink]="['/events']" [queryParams]="{ stream: 'call-' + c.id }">All events of this call</a> }
        </div>
        <div class="grid cols">
          <section class="card">
            <header><h2>Summary</h2></header>
            <div class="body">
              <dl class="kv">
                <dt>Call id</dt><dd class="mono">{{ c.id }}</dd>
                <dt>Direction</dt><dd>{{ c.direction === 'OUTBOUND' ? 'Outbound' : 'Inbound' }}: {{ c.from ?? '' }} → {{ c.to ?? '' }}</dd>
                <dt>Started</dt><dd>{{ when(c.startedAt) }}</dd>
                <dt>Answered</dt><dd>{{ when(c.answeredAt) }} @if (c.answeredBy) { by {{ c.answeredBy }} }</dd>
                <dt>Ended</dt><dd>{{ when(c.endedAt) }} @if (c.hangupCause) { · {{ c.hangupCause }} ({{ c.hangupSource }}) }</dd>
                <dt>Duration</dt><dd class="num">{{ dur(c.durationSeconds) }}</dd>
                <dt>Time in</dt><dd class="num">IVR {{ dur(c.durations.ivrSeconds) }} · queue {{ dur(c.durations.waitSeconds) }} · talk {{ dur(c.durations.talkSeconds) }} · hold {{ dur(c.durations.holdSeconds) }} · wrap-up {{ dur(c.durations.wrapUpSeconds) }}</dd>
                <dt>Agents</dt><dd>{{ c.agentIds.join(', ') || '–' }} @if (c.agentsOffered.length) { <span class="muted">(offered to {{ c.agentsOffered.join(', ') }})</span> }</dd>
                @if (c.closingReason) { <dt>Closed</dt><dd>{{ c.closingReason }}</dd> }
                @if (c.afterHours; as ah) { <dt>After hours</dt><dd>{{ ah.reason }}</dd> }
              </dl>
            </div>
          </section>
          <section class="card">
            <header><h2>Caller</h2></header>
            <div class="body"><cs-screen-pop [caller]="c.caller" [attributes]="c.attributes" [ivr]="c.ivr" [linkCalls]="true" /></div>
          </section>
        </div>

        <section class="card" data-testid="routing-decisions">
          <header><h2>Routing decisions</h2><span class="muted small">why each agent was or was not chosen, and why the call waited</span></header>
          <div class="body flush">
            <table class="data">
              <thead><tr><th>At</th><th>Queue</th><th>Strategy</th><th class="right">Rank</th><th class="right">Waited</th><th>Outcome</th><th class="right">Eligible / considered</th><th></th></tr></thead>
              <tbody>
                @for (d of decisions(); track d.decisionId) {
                  <tr class="clickable" (click)="toggle(d.decisionId)">
                    <td class="num">{{ clock(d.at) }}</td>
                    <td>{{ d.queueId }}</td>
                    <td>{{ d.strategy }}</td>
                    <td class="right num">{{ d.rank }}</td>
                    <td class="right num">{{ dur(d.waitedSeconds) }}</td>
                    <td>@if (d.chosen.length) { <span class="badge ok">chose {{ d.chosen.join(', ') }}</span> } @else { <span class="badge warn">waited: {{ d.waitingReason ?? 'no agent' }}</span> }</td>
                    <td class="right num">{{ d.eligible }} / {{ d.considered }}</td>
                    <td class="right">{{ open().has(d.decisionId) ? '▾' : '▸' }}</td>
                  </tr>
                  @if (open().has(d.decisionId)) {
                    <tr class="detail"><td colspan="8">
                      <table class="data inner">
                        <thead><tr><th>Agent</th><th>Eligible</th><th>Chosen</th><th>Idle since</th><th class="right">Score</th><th>Reasons</th></tr></thead>
                        @for (cand of d.candidates; track cand.agentId) {
                          <tr><td>{{ cand.agentId }}</td><td>{{ cand.eligible ? 'yes' : 'no' }}</td><td>{{ cand.chosen ? '✔' : '' }}</td><td class="num">{{ clock(cand.idleSince) }}</td><td class="right num">{{ cand.score ?? '' }}</td><td class="small">{{ cand.reasons.join('; ') }}</td></tr>
                        }
                      </table>
                      @if (d.ineligibleReasons.length) {
                        <p class="small muted">Not eligible: @for (r of d.ineligibleReasons; track r.reason; let last = $last) {{{ r.reason }} × {{ r.count }}@if (!last) {, }}</p>
                      }
                    </td></tr>
                  }
                } @empty {
                  <tr><td colspan="8" class="empty">No routing decisions (the call never waited in a queue).</td></tr>
                }
              </tbody>
            </table>
          </div>
        </section>

        <div class="grid cols">
          <section class="card">
            <header><h2>Queues, offers and agents</h2></header>
            <div class="body stack small">
              @for (v of c.queues; track v.entryId) {
                <div>Queued in <strong>{{ v.queueId }}</strong> at {{ clock(v.enqueuedAt) }} ({{ v.reason }}) · left {{ clock(v.leftAt) }} {{ v.leftReason ?? '' }} · waited {{ dur(v.waitedSeconds) }}</div>
              }
              @for (o of c.offers; track o.offerId) {
                <div>Offered at {{ clock(o.at) }} ({{ o.strategy }}): @for (a of o.agents; track a.agentId; let last = $last) {<strong>{{ a.agentId }}</strong> {{ a.outcome.toLowerCase() }}{{ a.reason ? ' – ' + a.reason : '' }}@if (!last) {, }}</div>
              }
              @for (x of c.connections; track x.agentId + x.connectedAt) {
                <div>Connected to <strong>{{ x.agentId }}</strong> via {{ x.via.toLowerCase() }} at {{ clock(x.connectedAt) }} until {{ clock(x.disconnectedAt) }}</div>
              }
              @for (t of c.transfers; track t.transferId) {
                <div>{{ t.mode.toLowerCase() }} transfer by {{ t.fromAgentId }} to {{ t.target.agentId ?? t.target.queueId ?? t.target.number }}: {{ t.status.toLowerCase() }}</div>
              }
              @for (s of c.supervision; track s.supervisorId + s.startedAt) {
                <div><strong>{{ s.supervisorId }}</strong> {{ s.mode }} from {{ clock(s.startedAt) }} to {{ clock(s.endedAt) }}</div>
              }
              @for (d of c.dispositions; track d.at) {
                <div>Wrap-up by {{ d.agentId }}: <strong>{{ d.disposition }}</strong> {{ d.notes ? '– ' + d.notes : '' }}</div>
              }
            </div>
          </section>
          <section class="card">
            <header><h2>Recordings and transcript</h2></header>
            <div class="body stack">
              @for (r of c.recordings; track r.recordingId) {
                <div class="row">
                  <span class="badge">{{ r.kind === 'VOICEMAIL' ? 'voicemail' : 'call' }}</span>
                  <span class="small">{{ clock(r.startedAt) }} · {{ dur(r.durationSeconds) }} · {{ r.channels ?? '' }}</span>
                  @if (r.status === 'STORED') { <cs-recording-player [callId]="c.id" [recordingId]="r.recordingId" [duration]="r.durationSeconds" /> }
                  @else { <span class="badge" [class.danger]="r.status === 'FAILED'">{{ r.status.toLowerCase() }}</span> <span class="small muted">{{ r.error ?? '' }}</span> }
                </div>
              } @empty { <p class="muted small">No recordings.</p> }
              @if (c.transcript.length) {
                <div class="transcript">
                  @for (l of c.transcript; track l.at + l.text) {
                    <div><span class="muted num small">{{ clock(l.at) }}</span> <strong>{{ l.track === 'OUTBOUND' ? 'Agent' : 'Caller' }}:</strong> {{ l.text }}</div>
                  }
                </div>
              }
            </div>
          </section>
        </div>

        <section class="card" data-testid="timeline">
          <header><h2>Timeline</h2><span class="muted small">{{ c.timeline.length }} events · click one for the raw event</span></header>
          <div class="timeline">
            <ol>
              @for (t of c.timeline; track t.position) {
                <li class="clickable" [class.selected]="selected()?.position === t.position" [class.webhook]="t.webhook !== null" (click)="show(t.position)" [attr.data-testid]="'timeline-' + t.type">
                  <span class="at num">{{ clock(t.at) }}</span>
                  <span class="type">{{ t.webhook?.eventType ?? t.type }}</span>
                  <span class="summary">{{ t.summary }}</span>
                </li>
              }
            </ol>
            <div class="raw">
              @if (selected(); as e) {
                <div class="row small">
                  <strong>{{ e.type }}</strong><span class="muted">#{{ e.position }} · {{ e.streamId }} rev {{ e.revision }}</span>
                  <span class="spacer"></span>
                  <a [routerLink]="['/as-of']" [queryParams]="{ position: e.position }" data-testid="as-of-event">Queues as of this event</a>
                </div>
                @if (raw(e.data); as body) {
                  <h3>Webhook as received</h3>
                  <cs-json [value]="body" />
                  <details><summary class="small">Stored event data</summary><cs-json [value]="e.data" /></details>
                } @else {
                  <cs-json [value]="e.data" />
                }
                <details><summary class="small">Metadata</summary><cs-json [value]="e.metadata" /></details>
              } @else if (canReadEvents()) {
                <p class="muted small">Choose an event to see it exactly as stored (webhooks verbatim).</p>
              } @else {
                <p class="muted small">Raw events are for analysts.</p>
              }
            </div>
          </div>
        </section>

        <section class="card">
          <header><h2>Legs</h2></header>
          <div class="body flush">
            <table class="data">
              <thead><tr><th>Role</th><th>Agent</th><th>Status</th><th>Initiated</th><th>Answered</th><th>Ended</th><th>Hangup</th><th>call_control_id</th></tr></thead>
              @for (l of c.legs; track l.callControlId) {
                <tr><td>{{ l.role.toLowerCase() }}</td><td>{{ l.agentId ?? '' }}</td><td>{{ l.status.toLowerCase() }}</td><td class="num">{{ clock(l.initiatedAt) }}</td><td class="num">{{ clock(l.answeredAt) }}</td><td class="num">{{ clock(l.endedAt) }}</td><td class="small">{{ l.hangupCause ?? '' }} {{ l.hangupSource ?? '' }}</td><td class="mono small">{{ l.callControlId }}</td></tr>
              }
            </table>
          </div>
        </section>
      } @else if (!error()) {
        <p class="muted">Loading…</p>
      }
    </div>
  `,
  styles: `
    .cols { grid-template-columns: 1fr 1fr; }
    @media (max-width: 1100px) { .cols { grid-template-columns: 1fr; } }
    tr.detail td { background: var(--surface-2); }
    table.inner th { position: static; }
    .timeline { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); min-height: 240px; }
    ol { list-style: none; margin: 0; padding: 0; max-height: 560px; overflow: auto; border-right: 1px solid var(--border); }
    li { display: grid; grid-template-columns: 70px 190px 1fr; gap: 8px; padding: 5px 14px; border-bottom: 1px solid #eef1f6; font-size: 12.5px; cursor: pointer; }
    li:hover, li.selected { background: #f1f4fd; }
    li .type { font-family: var(--mono); font-size: 12px; color: var(--violet); overflow: hidden; text-overflow: ellipsis; }
    li.webhook .type { color: var(--info); }
    .raw { padding: 10px 14px; display: flex; flex-direction: column; gap: 8px; min-width: 0; }
    .transcript { display: flex; flex-direction: column; gap: 4px; max-height: 240px; overflow: auto; font-size: 13px; }
  `,
})
export class CallTimelineComponent {
  private readonly api = inject(Api);
  private readonly store = inject(SessionStore);
  readonly callId = input.required<string>();

  protected readonly call = signal<CallDetail | null>(null);
  protected readonly decisions = signal<RoutingDecision[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly open = signal<ReadonlySet<string>>(new Set());
  protected readonly selected = signal<StoredEvent | null>(null);
  protected readonly canReadEvents = computed(() => this.store.hasRole('ANALYST', 'ADMIN'));

  protected when = formatDateTime;
  protected clock = formatClock;
  protected dur = formatDuration;
  protected outcome = outcomeLabel;
  protected raw = rawWebhook;
  protected tone = (o: string): string => OUTCOME_TONE[o as keyof typeof OUTCOME_TONE] ?? '';

  constructor() {
    effect(() => void this.load(this.callId()));
  }

  private async load(id: string): Promise<void> {
    this.error.set(null);
    this.selected.set(null);
    try {
      const result = await this.api.query(CALL_DETAIL, { id });
      if (!result.call) {
        this.error.set('No call with this id.');
        return;
      }
      this.call.set(result.call);
      this.decisions.set(result.routingDecisions);
    } catch (error) {
      this.error.set(error instanceof Error ? error.message : String(error));
    }
  }

  protected toggle(id: string): void {
    this.open.update((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  protected async show(position: string): Promise<void> {
    if (!this.canReadEvents()) return;
    try {
      const { eventHistory } = await this.api.query(EVENT_HISTORY, { filter: { fromPosition: position, toPosition: position }, first: 1, newestFirst: false });
      this.selected.set(eventHistory.nodes[0] ?? null);
    } catch (error) {
      this.error.set(error instanceof Error ? error.message : String(error));
    }
  }
}
