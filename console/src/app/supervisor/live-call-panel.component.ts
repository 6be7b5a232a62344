import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, output, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { Subscription } from 'rxjs';
import { Api } from '../core/authed-api.service';
import { ConnectionService } from '../core/connection.service';
import { formatClock } from '../core/time';
import { CALL_CHANGED, CALL_LIVE } from '../graphql/documents';
import type { LiveCall } from '../graphql/types';
import { ScreenPopComponent } from '../shared/screen-pop.component';
import { FloorStore } from './floor.store';

/** One call in progress, followed live: who is on it, its recording and supervision, and the transcript as it is spoken. */
@Component({
  selector: 'cs-live-call-panel',
  imports: [RouterLink, ScreenPopComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="live-call-panel">
      <header>
        <h2>{{ agentName() }} · <span class="mono">{{ call()?.callerNumber ?? '…' }}</span></h2>
        @if (call(); as c) {
          @if (c.recording === 'ON') { <span class="badge danger">REC</span> }
          @if (c.held) { <span class="badge violet">on hold</span> }
          @for (s of supervising(); track s.supervisorId) { <span class="badge brand" data-testid="panel-supervision">{{ s.supervisorId }} {{ s.mode.toLowerCase() }}</span> }
          @if (c.status === 'ENDED') { <span class="badge">ended</span> }
        }
        <span class="spacer"></span>
        <a [routerLink]="['/calls', callId()]">Timeline</a>
        <button class="ghost small" (click)="closed.emit()" aria-label="Close" title="Close (Esc)">✕</button>
      </header>
      @if (call(); as c) {
        <div class="grid2">
          <div class="transcript">
            <h3>Live transcript</h3>
            @for (l of c.transcript; track l.at + l.text) {
              <div class="line"><span class="who">{{ l.track === 'OUTBOUND' ? 'Agent' : 'Caller' }}</span><span>{{ l.text }}</span><span class="muted small num">{{ clock(l.at) }}</span></div>
            } @empty {
              <p class="muted small">{{ c.transcribing ? 'Listening…' : 'No transcript: transcription is off on this call.' }}</p>
            }
          </div>
          <div class="pop">
            <cs-screen-pop [caller]="c.caller" [attributes]="c.attributes" [ivr]="c.ivr" [linkCalls]="true" />
          </div>
        </div>
      } @else {
        <p class="empty">{{ error() ?? 'Loading…' }}</p>
      }
    </section>
  `,
  styles: `
    .grid2 { display: grid; grid-template-columns: 1fr 1fr; }
    .transcript { padding: 12px 14px; border-right: 1px solid var(--border); display: flex; flex-direction: column; gap: 6px; max-height: 360px; overflow: auto; }
    .line { display: grid; grid-template-columns: 54px 1fr auto; gap: 8px; }
    .who { font-size: 11px; font-weight: 700; color: var(--info); text-transform: uppercase; }
    .pop { padding: 12px 14px; }
  `,
})
export class LiveCallPanelComponent {
  private readonly api = inject(Api);
  private readonly floor = inject(FloorStore);
  private readonly connection = inject(ConnectionService);
  readonly callId = input.required<string>();
  readonly agentName = input('');
  readonly closed = output<void>();

  protected readonly call = signal<LiveCall | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly supervising = computed(() => this.call()?.supervision.filter((s) => !s.endedAt) ?? []);
  protected clock = formatClock;
  private subscription: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.callId();
      this.connection.reconnects();
      this.follow(id);
    });
    inject(DestroyRef).onDestroy(() => this.subscription?.unsubscribe());
  }

  private follow(callId: string): void {
    this.subscription?.unsubscribe();
    this.call.set(null);
    this.api.query(CALL_LIVE, { id: callId }).then(
      ({ call }) => {
        if (call && this.callId() === callId) this.apply(call);
        else if (!call) this.error.set('This call is not known.');
      },
      (e: unknown) => this.error.set(e instanceof Error ? e.message : String(e)),
    );
    this.subscription = this.api.live(CALL_CHANGED, { callId }).subscribe({ next: ({ callChanged }) => this.apply(callChanged) });
  }

  private apply(call: LiveCall): void {
    this.call.set(call);
    this.floor.setCall(call);
  }
}
