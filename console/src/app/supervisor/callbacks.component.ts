import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject } from '@angular/core';
import { Api } from '../core/authed-api.service';
import { ClockService } from '../core/clock.service';
import { live } from '../core/live';
import { formatDateTime, formatDuration } from '../core/time';
import { CALLBACKS, QUEUE_CHANGED, QUEUES } from '../graphql/documents';
import { formatEstimate, liveWaitSeconds, remainingEstimate } from '../agent/desk-logic';
import { debounceTime } from 'rxjs';
import { nameBesides } from '../shared/labels';

/** Callers who chose to be called back, keeping their place in line, in the order they will be served. */
@Component({
  selector: 'cs-callbacks',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-head">
        <h1>Pending callbacks</h1>
        <span class="sub">{{ rows().length }} waiting · a callback is offered to an agent like a call, and dialled when the agent accepts</span>
      </div>
      @if (callbacks.error(); as e) { <p class="error-text">{{ e }}</p> }
      <section class="card" data-testid="callbacks">
        <div class="body flush">
          <table class="data">
            <thead><tr><th>Queue</th><th class="right">Place</th><th>Number</th><th>Caller</th><th>Requested</th><th class="right">Waiting</th><th class="right">Estimate</th><th>State</th></tr></thead>
            <tbody>
              @for (c of rows(); track c.callId) {
                <tr>
                  <td>{{ c.queueName }}</td>
                  <td class="right num">{{ c.position }}</td>
                  <td class="mono">{{ c.number ?? c.caller.number ?? '–' }}</td>
                  <td>{{ name(c.caller.name, c.number ?? c.caller.number) }}</td>
                  <td class="num">{{ when(c.enqueuedAt) }}</td>
                  <td class="right num">{{ c.wait }}</td>
                  <td class="right">{{ c.estimate }}</td>
                  <td>@if (c.state === 'RINGING') { <span class="badge warn">offered</span> } @else { <span class="badge violet">waiting</span> }</td>
                </tr>
              } @empty {
                <tr><td colspan="8" class="empty">{{ callbacks.loading() ? 'Loading…' : 'No callbacks pending.' }}</td></tr>
              }
            </tbody>
          </table>
        </div>
      </section>
    </div>
  `,
})
export class CallbacksComponent {
  protected readonly name = nameBesides;
  private readonly api = inject(Api);
  private readonly clock = inject(ClockService);
  protected readonly when = formatDateTime;

  protected readonly callbacks = live({ load: () => this.api.query(CALLBACKS, {}).then((r) => r.callbacks), pollMs: 15_000 });
  private readonly queues = live({ load: () => this.api.query(QUEUES).then((r) => r.queues) });
  private readonly names = computed(() => new Map((this.queues.value() ?? []).map((q) => [q.id, q.name ?? q.id])));

  protected readonly rows = computed(() => {
    const now = this.clock.now();
    return (this.callbacks.value() ?? []).map((c) => ({
      ...c,
      queueName: this.names().get(c.queueId) ?? c.queueId,
      wait: formatDuration(liveWaitSeconds(c, null, now)),
      estimate: formatEstimate(remainingEstimate(c.estimatedWaitSeconds, null, now)),
    }));
  });

  constructor() {
    // Any queue change may add, serve or reorder a callback: read the list again (bursts coalesced).
    const sub = this.api
      .live(QUEUE_CHANGED, {})
      .pipe(debounceTime(300))
      .subscribe(() => void this.callbacks.reload());
    inject(DestroyRef).onDestroy(() => sub.unsubscribe());
  }
}
