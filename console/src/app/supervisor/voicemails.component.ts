import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { Api } from '../core/authed-api.service';
import { NotifyService } from '../core/notify.service';
import { SessionStore } from '../core/session-store';
import { formatDateTime, formatDuration, parseTime } from '../core/time';
import { QUEUES, VOICEMAILS } from '../graphql/documents';
import type { Voicemail } from '../graphql/types';
import { IconComponent } from '../shared/icon.component';

const PAGE = 25;

/** Messages left by callers, newest first, with playback and a link to the call. */
@Component({
  selector: 'cs-voicemails',
  imports: [RouterLink, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-head">
        <h1>Voicemail</h1>
        <span class="sub">{{ items().length }} shown</span>
        <span class="spacer"></span>
        <label class="row small">Queue
          <select (change)="setQueue($event)" data-testid="voicemail-queue">
            <option value="">All queues</option>
            @for (q of queues(); track q.id) { <option [value]="q.id">{{ q.name ?? q.id }}</option> }
          </select>
        </label>
        <button class="small" (click)="load(true)">Refresh</button>
      </div>
      @if (error(); as e) { <p class="error-text">{{ e }}</p> }
      <section class="card" data-testid="voicemails">
        <div class="body flush">
          <table class="data">
            <thead><tr><th>Received</th><th>From</th><th>Queue</th><th>Why</th><th class="right">Length</th><th>Listen</th><th></th></tr></thead>
            <tbody>
              @for (v of items(); track v.callId) {
                <tr>
                  <td class="num">{{ when(v.recordedAt) }}</td>
                  <td><span class="mono">{{ v.callerNumber ?? 'withheld' }}</span>@if (v.callerName && v.callerName !== v.callerNumber) { <div class="muted small">{{ v.callerName }}</div> }</td>
                  <td>{{ queueName(v.queueId) }}</td>
                  <td class="small">{{ v.reason }}</td>
                  <td class="right num">{{ duration(v.durationSeconds) }}</td>
                  <td>
                    @if (playing() === v.callId && v.playbackUrl) {
                      <audio [src]="v.playbackUrl" controls autoplay data-testid="voicemail-audio"></audio>
                    } @else if (v.playbackUrl || v.recordingId) {
                      <button class="small" (click)="play(v)"><cs-icon name="play" [size]="13" /> Play</button>
                    } @else {
                      <span class="muted small">audio not stored yet</span>
                    }
                  </td>
                  <td class="right">
                    @if (canCallBack && v.callerNumber) { <a [routerLink]="['/desk']" [queryParams]="{ dial: v.callerNumber, from: v.callId }" title="Call back from your desk">Call back</a> · }
                    <a [routerLink]="['/calls', v.callId]">Call</a>
                  </td>
                </tr>
              } @empty {
                <tr><td colspan="7" class="empty">{{ loading() ? 'Loading…' : 'No voicemail.' }}</td></tr>
              }
            </tbody>
          </table>
        </div>
      </section>
      @if (cursor()) { <button (click)="load(false)" [disabled]="loading()">Load more</button> }
    </div>
  `,
  styles: `audio { height: 30px; max-width: 260px; }`,
})
export class VoicemailsComponent {
  private readonly api = inject(Api);
  private readonly notify = inject(NotifyService);
  protected readonly items = signal<Voicemail[]>([]);
  protected readonly cursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly playing = signal<string | null>(null);
  protected readonly queues = signal<Array<{ id: string; name: string | null }>>([]);
  private readonly queueId = signal<string | null>(null);
  private readonly names = computed(() => new Map(this.queues().map((q) => [q.id, q.name ?? q.id])));
  protected when = formatDateTime;
  protected duration = formatDuration;
  /** Users who are also agents call back from their desk. */
  protected readonly canCallBack = inject(SessionStore).hasRole('AGENT');

  constructor() {
    void this.load(true);
    this.api.query(QUEUES).then(
      (r) => this.queues.set(r.queues),
      () => undefined,
    );
  }

  protected queueName(id: string | null): string {
    return id ? (this.names().get(id) ?? id) : '–';
  }

  protected setQueue(event: Event): void {
    this.queueId.set((event.target as HTMLSelectElement).value || null);
    void this.load(true);
  }

  async load(reset: boolean): Promise<void> {
    this.loading.set(true);
    try {
      const { voicemails } = await this.api.query(VOICEMAILS, { first: PAGE, after: reset ? null : this.cursor(), queueId: this.queueId() });
      this.items.set(reset ? voicemails.nodes : [...this.items(), ...voicemails.nodes]);
      this.cursor.set(voicemails.pageInfo.hasNextPage ? voicemails.pageInfo.endCursor : null);
      this.error.set(null);
    } catch (error) {
      this.error.set(error instanceof Error ? error.message : String(error));
    } finally {
      this.loading.set(false);
    }
  }

  /** Playback links are short-lived (the API's clock): an expired one is fetched again before playing. */
  protected async play(v: Voicemail): Promise<void> {
    const expires = parseTime(v.playbackUrlExpiresAt);
    if (!v.playbackUrl || (expires !== null && expires - 5_000 < Date.now())) {
      await this.load(true);
      const fresh = this.items().find((x) => x.callId === v.callId);
      if (!fresh?.playbackUrl) {
        this.notify.error(new Error('This message has no playable audio yet.'));
        return;
      }
    }
    this.playing.set(v.callId);
  }
}
