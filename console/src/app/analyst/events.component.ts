import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { Api } from '../core/authed-api.service';
import { formatDateTime, fromLocalInput } from '../core/time';
import { EVENT_HISTORY } from '../graphql/documents';
import type { EventHistoryFilter, StoredEvent } from '../graphql/types';
import { JsonViewComponent } from '../shared/json-view.component';
import { rawWebhook, webhookEventType } from '../shared/webhook';

const PAGE = 100;


/** The raw event history: by call, agent, stream, type, time or position; each event with its JSON (webhooks verbatim). */
@Component({
  selector: 'cs-events',
  imports: [FormsModule, JsonViewComponent, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-head"><h1>Event history</h1><span class="sub">{{ events().length }} events{{ cursor() ? ', more available' : '' }}</span></div>
      <form class="card filters" (ngSubmit)="search()">
        <label class="field">Call id<input name="call" [(ngModel)]="callId" placeholder="call session id" size="22" data-testid="events-call" /></label>
        <label class="field">Agent<input name="agent" [(ngModel)]="agentId" placeholder="alice" size="10" /></label>
        <label class="field">Stream or prefix<input name="stream" [(ngModel)]="stream" placeholder="call-… or agent-" size="16" /></label>
        <label class="field">Types<input name="types" [(ngModel)]="types" placeholder="WebhookReceived, CallQueued" size="22" /></label>
        <label class="field">From<input type="datetime-local" name="from" [(ngModel)]="from" /></label>
        <label class="field">To<input type="datetime-local" name="to" [(ngModel)]="to" /></label>
        <label class="field">Positions<span class="row"><input name="fromPos" [(ngModel)]="fromPosition" placeholder="from" size="6" /><input name="toPos" [(ngModel)]="toPosition" placeholder="to" size="6" /></span></label>
        <label class="row small check"><input type="checkbox" name="newest" [(ngModel)]="newestFirst" /> Newest first</label>
        <button class="primary" type="submit" [disabled]="loading()" data-testid="events-search">Search</button>
      </form>
      @if (error(); as e) { <p class="error-text">{{ e }}</p> }
      <div class="split">
        <section class="card" data-testid="events">
          <div class="body flush list">
            <table class="data">
              <thead><tr><th class="right">#</th><th>Occurred</th><th>Stream</th><th>Type</th></tr></thead>
              <tbody>
                @for (e of events(); track e.id) {
                  <tr class="clickable" [class.selected]="selected()?.id === e.id" (click)="selected.set(e)">
                    <td class="right num">{{ e.position }}</td>
                    <td class="num small">{{ when(e.occurredAt ?? e.recordedAt) }}</td>
                    <td class="mono small">{{ e.streamId }}</td>
                    <td><span class="mono small">{{ e.type }}</span> @if (hook(e); as h) { <span class="badge info">{{ h }}</span> }</td>
                  </tr>
                } @empty {
                  <tr><td colspan="4" class="empty">{{ loading() ? 'Loading…' : 'No events match.' }}</td></tr>
                }
              </tbody>
            </table>
          </div>
          @if (cursor()) { <div class="body"><button (click)="more()" [disabled]="loading()">Load more</button></div> }
        </section>
        <section class="card raw">
          @if (selected(); as e) {
            <header>
              <h2 class="mono">{{ e.type }}</h2>
              <span class="spacer"></span>
              @if (callOf(e); as id) { <a [routerLink]="['/calls', id]">Call timeline</a> }
            </header>
            <div class="body stack">
              <dl class="kv small">
                <dt>Position</dt><dd class="num">{{ e.position }}</dd>
                <dt>Stream</dt><dd class="mono">{{ e.streamId }} (revision {{ e.revision }})</dd>
                <dt>Occurred</dt><dd>{{ e.occurredAt ?? '–' }}</dd>
                <dt>Recorded</dt><dd>{{ e.recordedAt }}</dd>
                <dt>Event id</dt><dd class="mono">{{ e.id }}</dd>
              </dl>
              @if (raw(e); as body) {
                <h3>Webhook as received</h3>
                <cs-json [value]="body" />
              }
              <h3>Data</h3>
              <cs-json [value]="e.data" />
              <h3>Metadata</h3>
              <cs-json [value]="e.metadata" />
            </div>
          } @else {
            <p class="empty">Choose an event.</p>
          }
        </section>
      </div>
    </div>
  `,
  styles: `
    .filters { display: flex; gap: 10px; align-items: flex-end; flex-wrap: wrap; padding: 10px 14px; }
    .check { align-self: center; }
    .split { display: grid; grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); gap: 16px; align-items: start; }
    .list { max-height: calc(100vh - 280px); overflow: auto; }
    .raw { position: sticky; top: 64px; max-height: calc(100vh - 90px); overflow: auto; }
  `,
})
export class EventsComponent {
  private readonly api = inject(Api);
  protected readonly callId = signal('');
  protected readonly agentId = signal('');
  protected readonly stream = signal('');
  protected readonly types = signal('');
  protected readonly from = signal('');
  protected readonly to = signal('');
  protected readonly fromPosition = signal('');
  protected readonly toPosition = signal('');
  protected readonly newestFirst = signal(true);
  protected readonly events = signal<StoredEvent[]>([]);
  protected readonly selected = signal<StoredEvent | null>(null);
  protected readonly cursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  private filter: EventHistoryFilter = {};
  protected when = formatDateTime;
  protected hook = (e: StoredEvent): string | null => webhookEventType(e.data);
  protected raw = (e: StoredEvent): unknown => rawWebhook(e.data);

  constructor() {
    const params = inject(ActivatedRoute).snapshot.queryParamMap;
    const stream = params.get('stream');
    if (stream?.startsWith('call-')) this.callId.set(stream.slice(5));
    else if (stream) this.stream.set(stream);
    void this.search();
  }

  protected callOf(e: StoredEvent): string | null {
    return e.streamId.startsWith('call-') ? e.streamId.slice(5) : null;
  }

  protected async search(): Promise<void> {
    const stream = this.stream().trim();
    const streamId = this.callId().trim() ? `call-${this.callId().trim()}` : this.agentId().trim() ? `agent-${this.agentId().trim()}` : stream && !stream.endsWith('-') ? stream : null;
    const types = this.types()
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
    this.filter = {
      streamId,
      streamPrefix: !streamId && stream.endsWith('-') ? stream : null,
      types: types.length ? types : null,
      from: fromLocalInput(this.from()),
      to: fromLocalInput(this.to()),
      fromPosition: this.fromPosition().trim() || null,
      toPosition: this.toPosition().trim() || null,
    };
    this.selected.set(null);
    await this.page(null);
  }

  protected more(): void {
    void this.page(this.cursor());
  }

  private async page(after: string | null): Promise<void> {
    this.loading.set(true);
    try {
      const { eventHistory } = await this.api.query(EVENT_HISTORY, { filter: this.filter, first: PAGE, after, newestFirst: this.newestFirst() });
      this.events.set(after ? [...this.events(), ...eventHistory.nodes] : eventHistory.nodes);
      this.cursor.set(eventHistory.pageInfo.hasNextPage ? eventHistory.pageInfo.endCursor : null);
      this.error.set(null);
    } catch (error) {
      this.error.set(error instanceof Error ? error.message : String(error));
    } finally {
      this.loading.set(false);
    }
  }
}
