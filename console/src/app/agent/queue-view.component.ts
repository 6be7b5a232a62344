import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { ClockService } from '../core/clock.service';
import { formatDuration } from '../core/time';
import { IconComponent } from '../shared/icon.component';
import { formatEstimate, languageName, liveWaitSeconds, remainingEstimate, waitTone } from './desk-logic';
import { DeskStore } from './desk.store';
import { nameBesides } from '../shared/labels';

/** Calls waiting in every queue, with their live wait, estimate and a Pick up button (cherry-pick). */
@Component({
  selector: 'cs-queue-view',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="queue-view">
      <header>
        <cs-icon name="queue" />
        <h2>Queues</h2>
        <span class="spacer"></span>
        @for (q of store.queues.value() ?? []; track q.id) {
          <span class="badge" [class.warn]="q.waiting > 0" [title]="q.name + ': ' + q.agents.ready + ' agents ready'">{{ q.name ?? q.id }} {{ q.waiting }}</span>
        }
      </header>
      <div class="body flush">
        @if (store.queues.error(); as e) { <p class="error-text pad">{{ e }}</p> }
        <table class="data">
          <thead><tr><th>#</th><th>Caller</th><th>Queue</th><th>Needs</th><th class="right">Waiting</th><th class="right">Estimate</th><th></th></tr></thead>
          <tbody>
            @for (c of rows(); track c.entryId) {
              <tr [attr.data-testid]="'waiting-' + c.callId">
                <td class="num">{{ c.position }}</td>
                <td>
                  <div class="mono">{{ c.kind === 'CALLBACK' ? (c.callbackNumber ?? c.caller.number) : (c.caller.number ?? 'withheld') }}</div>
                  @if (name(c.caller.name, c.caller.number); as n) { <div class="muted small">{{ n }}</div> }
                </td>
                <td>{{ c.queueName }} @if (c.kind === 'CALLBACK') { <span class="badge violet">callback</span> }</td>
                <td class="small">
                  @if (c.attributes.language) { <span class="badge info">{{ lang(c.attributes.language) }}</span> }
                  @for (s of c.attributes.skills; track s.skill) { <span class="badge">{{ s.skill }} {{ s.minLevel }}+</span> }
                </td>
                <td class="right num wait" [class]="'right num wait ' + c.tone">{{ c.wait }}</td>
                <td class="right small">{{ c.estimate }}</td>
                <td class="right">
                  @if (c.state === 'RINGING') {
                    <span class="badge warn" [title]="'Offered to ' + (c.offer?.agentIds?.join(', ') ?? '')">ringing</span>
                  } @else {
                    <button class="small" (click)="store.pick(c.callId)" [disabled]="!canPick() || store.busy() === 'pick'" [title]="canPick() ? 'Take this call now' : 'Go Available (and finish any call) to pick up'">Pick up</button>
                  }
                </td>
              </tr>
            } @empty {
              <tr><td colspan="7" class="empty">No one is waiting.</td></tr>
            }
          </tbody>
        </table>
      </div>
    </section>
  `,
  styles: `
    .pad { padding: 8px 14px; }
    .wait { font-weight: 650; }
    .wait.warn { color: var(--warn); }
    .wait.late { color: var(--danger); }
    td .badge { margin-right: 3px; }
  `,
})
export class QueueViewComponent {
  protected readonly name = nameBesides;
  protected readonly store = inject(DeskStore);
  private readonly clock = inject(ClockService);
  protected readonly lang = languageName;

  protected readonly canPick = computed(() => {
    // The router lets an agent take a call only when it could offer it to them now: Available and idle.
    return this.store.state() === 'AVAILABLE' && !this.store.engaged();
  });

  protected readonly rows = computed(() => {
    const now = this.clock.now();
    return this.store.waitingCalls().map((c) => {
      const wait = liveWaitSeconds(c, c.asOf, now);
      return { ...c, wait: formatDuration(wait), estimate: formatEstimate(remainingEstimate(c.estimatedWaitSeconds, c.asOf, now)), tone: waitTone(wait, c.threshold) };
    });
  });
}
