import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { ClockService } from '../core/clock.service';
import { formatDuration, secondsUntil } from '../core/time';
import { IconComponent } from '../shared/icon.component';
import { ScreenPopComponent } from '../shared/screen-pop.component';
import { DeskStore } from './desk.store';

/** An incoming call ringing on the agent: who, what the IVR learned, how long they waited, and the screen pop. */
@Component({
  selector: 'cs-offer-card',
  imports: [IconComponent, ScreenPopComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card ringing" data-testid="incoming-call" aria-live="assertive">
      <header>
        <span class="pulse-ring"><cs-icon name="phone" [size]="18" /></span>
        <div class="title">
          <div class="caption">Incoming call{{ queueLabel() }}</div>
          <div class="number mono" data-testid="incoming-number">{{ number() }}</div>
          @if (name()) { <div class="muted">{{ name() }}</div> }
        </div>
        <span class="spacer"></span>
        <div class="facts">
          @if (waited() !== null) { <div><span class="k">Waited</span><span class="v num" data-testid="incoming-wait">{{ waited() }}</span></div> }
          <div><span class="k">Ringing</span><span class="v num">{{ ringingFor() }}</span></div>
          @if (expiresIn() !== null) { <div><span class="k">Expires in</span><span class="v num">{{ expiresIn() }}</span></div> }
        </div>
      </header>
      <div class="actions">
        <button class="ok big" (click)="store.answer()" [disabled]="!store.ringing() || store.busy() === 'answer'" data-testid="answer" title="Answer (A)">
          <cs-icon name="phone" /> {{ store.ringing() ? 'Answer' : 'Connecting…' }} <kbd>A</kbd>
        </button>
        <button class="danger big" (click)="store.decline()" [disabled]="store.busy() === 'decline'" data-testid="decline" title="Decline (D)">
          <cs-icon name="hangup" /> Decline <kbd>D</kbd>
        </button>
        <label class="row small muted"><input type="checkbox" [checked]="store.phone.ringtoneMuted()" (change)="store.phone.ringtoneMuted.set(!store.phone.ringtoneMuted())" /> Silence ring tone</label>
      </div>
      @if (offer(); as o) {
        <div class="body">
          <cs-screen-pop [caller]="o.caller" [attributes]="o.attributes" [ivr]="o.ivr" [previousCalls]="o.previousCalls" />
        </div>
      }
    </section>
  `,
  styles: `
    .ringing { border: 2px solid #f0b44c; box-shadow: 0 0 0 4px rgba(240, 180, 76, 0.18), var(--shadow); }
    .ringing > header { background: var(--warn-soft); border-bottom-color: #f3d89b; padding: 14px; gap: 14px; align-items: center; }
    .pulse-ring { width: 40px; height: 40px; border-radius: 50%; background: var(--warn); color: #fff; display: grid; place-items: center; animation: ring 1.2s ease-in-out infinite; }
    @keyframes ring { 0%, 100% { box-shadow: 0 0 0 0 rgba(161, 92, 0, 0.45); } 50% { box-shadow: 0 0 0 10px rgba(161, 92, 0, 0); } }
    .caption { font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; color: var(--warn); }
    .number { font-size: 22px; font-weight: 700; }
    .facts { display: flex; gap: 20px; }
    .facts div { display: flex; flex-direction: column; align-items: flex-end; }
    .k { font-size: 11px; color: var(--muted); text-transform: uppercase; font-weight: 600; }
    .v { font-size: 18px; font-weight: 650; }
    .actions { display: flex; gap: 10px; padding: 12px 14px; border-bottom: 1px solid var(--border); align-items: center; }
    .body { padding: 12px 14px; }
  `,
})
export class OfferCardComponent {
  protected readonly store = inject(DeskStore);
  private readonly clock = inject(ClockService);
  protected readonly offer = this.store.offer;

  protected readonly number = computed(() => this.offer()?.caller.number ?? this.store.ringing()?.remoteNumber ?? 'Unknown number');
  protected readonly name = computed(() => this.offer()?.caller.contact?.name ?? this.offer()?.caller.name ?? this.store.ringing()?.remoteName ?? null);
  protected readonly queueLabel = computed(() => {
    const q = this.offer()?.queueId;
    if (!q) return '';
    const name = this.store.queues.value()?.find((x) => x.id === q)?.name;
    return ` · ${name ?? q}`;
  });
  /** The caller's wait keeps counting while it rings: the server's wait plus the ringing time. */
  protected readonly waited = computed(() => {
    const o = this.offer();
    if (!o || o.waitedSeconds === null) return null;
    const rang = this.store.ringing();
    const extra = rang ? (this.clock.local() - rang.createdAt) / 1000 : 0;
    return formatDuration(o.waitedSeconds + extra);
  });
  protected readonly ringingFor = computed(() => {
    const r = this.store.ringing();
    return r ? formatDuration((this.clock.local() - r.createdAt) / 1000) : '0:00';
  });
  protected readonly expiresIn = computed(() => {
    const o = this.offer();
    if (!o) return null;
    const left = secondsUntil(o.expiresAt, this.clock.now());
    return left === null ? null : formatDuration(left);
  });
}
