import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { Api } from '../core/authed-api.service';
import { formatDateTime, formatDuration, fromLocalInput } from '../core/time';
import { CALL_HISTORY, QUEUES } from '../graphql/documents';
import type { CallHistoryFilter, CallOutcome, CallSummary } from '../graphql/types';
import { ALL_OUTCOMES, OUTCOME_TONE, nameBesides, outcomeLabel } from '../shared/labels';
import { RecordingPlayerComponent } from '../shared/recording-player.component';

const PAGE = 50;

/** Call history with filters, cursor paging, recordings to play, and each call's timeline one click away. */
@Component({
  selector: 'cs-history',
  imports: [FormsModule, RecordingPlayerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-head"><h1>Calls</h1><span class="sub">{{ calls().length }} shown{{ cursor() ? ', more available' : '' }}</span></div>
      <form class="card filters" (ngSubmit)="search()">
        <label class="field">From<input type="datetime-local" name="from" [(ngModel)]="from" /></label>
        <label class="field">To<input type="datetime-local" name="to" [(ngModel)]="to" /></label>
        <label class="field">Queue
          <select name="queue" [(ngModel)]="queueId">
            <option value="">Any</option>
            @for (q of queues(); track q.id) { <option [value]="q.id">{{ q.name ?? q.id }}</option> }
          </select>
        </label>
        <label class="field">Agent<input name="agent" [(ngModel)]="agentId" placeholder="agent id" size="10" /></label>
        <label class="field">Outcome
          <select name="outcome" [(ngModel)]="outcome">
            <option value="">Any</option>
            @for (o of outcomes; track o) { <option [value]="o">{{ label(o) }}</option> }
          </select>
        </label>
        <label class="field">Caller number<input name="caller" [(ngModel)]="callerNumber" placeholder="+1555…" size="14" /></label>
        <button class="primary" type="submit" [disabled]="loading()">Search</button>
        <button type="button" class="ghost" (click)="clear()">Clear</button>
      </form>
      @if (error(); as e) { <p class="error-text">{{ e }}</p> }
      <section class="card" data-testid="history">
        <div class="body flush">
          <table class="data">
            <thead><tr><th>Started</th><th>Dir.</th><th>Caller</th><th>Queue</th><th>Agent</th><th>Outcome</th><th class="right">Duration</th><th>Recording</th></tr></thead>
            <tbody>
              @for (c of calls(); track c.id) {
                <tr class="clickable" (click)="open(c)" [attr.data-testid]="'history-' + c.id">
                  <td class="num">{{ when(c.startedAt) }}</td>
                  <td>{{ c.direction === 'OUTBOUND' ? 'out' : 'in' }}</td>
                  <td><span class="mono">{{ c.callerNumber ?? '–' }}</span><div class="muted small">{{ name(c.caller.name, c.callerNumber) }}</div></td>
                  <td>{{ queueName(c.queueId) }}</td>
                  <td>{{ c.agentId ?? '–' }}</td>
                  <td><span class="badge" [class]="'badge ' + tone(c.outcome)">{{ label(c.outcome) }}</span></td>
                  <td class="right num">{{ duration(c.durationSeconds) }}</td>
                  <td (click)="$event.stopPropagation()">
                    @for (r of stored(c); track r.recordingId) {
                      <cs-recording-player [callId]="c.id" [recordingId]="r.recordingId" [duration]="r.durationSeconds" [label]="r.kind === 'VOICEMAIL' ? 'Voicemail' : 'Play'" />
                    }
                  </td>
                </tr>
              } @empty {
                <tr><td colspan="8" class="empty">{{ loading() ? 'Loading…' : 'No calls match.' }}</td></tr>
              }
            </tbody>
          </table>
        </div>
      </section>
      @if (cursor()) { <button (click)="more()" [disabled]="loading()">Load more</button> }
    </div>
  `,
  styles: `.filters { display: flex; gap: 10px; align-items: flex-end; flex-wrap: wrap; padding: 10px 14px; }`,
})
export class HistoryComponent {
  protected readonly name = nameBesides;
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  protected readonly outcomes = ALL_OUTCOMES;
  protected readonly from = signal('');
  protected readonly to = signal('');
  protected readonly queueId = signal('');
  protected readonly agentId = signal('');
  protected readonly outcome = signal('');
  protected readonly callerNumber = signal('');
  protected readonly calls = signal<CallSummary[]>([]);
  protected readonly cursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly queues = signal<Array<{ id: string; name: string | null }>>([]);
  private readonly names = computed(() => new Map(this.queues().map((q) => [q.id, q.name ?? q.id])));
  private filter: CallHistoryFilter = {};

  protected when = formatDateTime;
  protected duration = formatDuration;
  protected label = outcomeLabel;
  protected tone = (o: CallOutcome): string => OUTCOME_TONE[o] ?? '';

  constructor() {
    void this.search();
    this.api.query(QUEUES).then(
      (r) => this.queues.set(r.queues),
      () => undefined,
    );
  }

  protected queueName(id: string | null): string {
    return id ? (this.names().get(id) ?? id) : '–';
  }

  protected stored(c: CallSummary) {
    return c.recordings.filter((r) => r.status === 'STORED');
  }

  protected clear(): void {
    this.from.set('');
    this.to.set('');
    this.queueId.set('');
    this.agentId.set('');
    this.outcome.set('');
    this.callerNumber.set('');
    void this.search();
  }

  protected async search(): Promise<void> {
    this.filter = {
      from: fromLocalInput(this.from()),
      to: fromLocalInput(this.to()),
      queueId: this.queueId() || null,
      agentId: this.agentId().trim() || null,
      outcome: (this.outcome() || null) as CallOutcome | null,
      callerNumber: this.callerNumber().trim() || null,
    };
    await this.page(null);
  }

  protected more(): void {
    void this.page(this.cursor());
  }

  private async page(after: string | null): Promise<void> {
    this.loading.set(true);
    try {
      const { callHistory } = await this.api.query(CALL_HISTORY, { filter: this.filter, first: PAGE, after });
      this.calls.set(after ? [...this.calls(), ...callHistory.nodes] : callHistory.nodes);
      this.cursor.set(callHistory.pageInfo.hasNextPage ? callHistory.pageInfo.endCursor : null);
      this.error.set(null);
    } catch (error) {
      this.error.set(error instanceof Error ? error.message : String(error));
    } finally {
      this.loading.set(false);
    }
  }

  protected open(c: CallSummary): void {
    void this.router.navigate(['/calls', c.id]);
  }
}
