import { ChangeDetectionStrategy, Component, computed, effect, inject, untracked, viewChild } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { ActivatedRoute, Router } from '@angular/router';
import { ShortcutService } from '../core/shortcuts.service';
import { AudioPanelComponent } from './audio-panel.component';
import { CallPanelComponent } from './call-panel.component';
import { DeskStore } from './desk.store';
import { DialPadComponent } from './dial-pad.component';
import { OfferCardComponent } from './offer-card.component';
import { QueueViewComponent } from './queue-view.component';
import { RecentCallsComponent } from './recent-calls.component';
import { StatusBarComponent } from './status-bar.component';
import { WrapUpComponent } from './wrap-up.component';

const DTMF_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'];

/** Where agents spend the day: status, the call (ringing, connected, wrap-up), queues, call-out and history. */
@Component({
  selector: 'cs-desk',
  imports: [StatusBarComponent, OfferCardComponent, CallPanelComponent, WrapUpComponent, QueueViewComponent, DialPadComponent, RecentCallsComponent, AudioPanelComponent],
  providers: [DeskStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      @if (store.desk.error(); as e) {
        <div class="card problem" role="alert">{{ e }} <button class="small" (click)="store.desk.reload()">Retry</button></div>
      }
      <cs-status-bar />
      <div class="desk">
        <div class="main">
          @if (showOffer()) {
            <cs-offer-card />
          } @else if (showCall()) {
            <cs-call-panel />
          }
          @if (showWrapUp()) {
            <cs-wrap-up />
          }
          @if (idle()) {
            <section class="card idle" data-testid="idle">
              <div class="body">
                <strong>{{ idleTitle() }}</strong>
                <span class="muted">{{ idleHint() }}</span>
              </div>
            </section>
          }
          <cs-queue-view />
        </div>
        <aside>
          <cs-dial-pad />
          <cs-recent-calls (callBack)="callBack($event)" />
          <cs-audio-panel />
        </aside>
      </div>
    </div>
  `,
  styles: `
    .desk { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 16px; align-items: start; }
    .main, aside { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
    .idle .body { display: flex; flex-direction: column; gap: 4px; padding: 18px; }
    .idle strong { font-size: 16px; }
    .problem { padding: 10px 14px; border-color: #f3b9b3; background: var(--danger-soft); color: var(--danger); display: flex; gap: 10px; align-items: center; }
    @media (max-width: 1100px) { .desk { grid-template-columns: 1fr; } }
  `,
})
export class DeskComponent {
  protected readonly store = inject(DeskStore);
  private readonly shortcuts = inject(ShortcutService);
  private readonly callPanel = viewChild(CallPanelComponent);
  private readonly wrapUp = viewChild(WrapUpComponent);

  protected readonly showOffer = computed(() => this.store.ringing() !== null || (this.store.offer() !== null && !this.store.connected()));
  protected readonly showCall = computed(() => this.store.connected());
  protected readonly showWrapUp = computed(() => this.store.wrapUp() !== null && !this.showCall() && !this.showOffer());
  protected readonly idle = computed(() => !this.showOffer() && !this.showCall() && !this.showWrapUp());
  protected readonly idleTitle = computed(() => {
    switch (this.store.state()) {
      case 'AVAILABLE':
        return 'Ready — waiting for the next call';
      case 'BREAK':
        return 'On break';
      case 'OFFLINE':
        return 'You are offline';
      default:
        return 'Between calls';
    }
  });
  protected readonly idleHint = computed(() => {
    if (this.store.phone.registration() !== 'registered') return 'Your softphone is not registered yet, so no calls can reach you.';
    switch (this.store.state()) {
      case 'AVAILABLE':
        return 'Calls ring here with the caller and their details. You can also pick a waiting call from the queues below.';
      case 'BREAK':
        return 'No calls are offered to you. Choose Available when you are back.';
      case 'OFFLINE':
        return 'Choose Available to start taking calls.';
      default:
        return '';
    }
  });

  constructor() {
    this.callBackFromLink();
    this.ringInTitle();
    const onCall = () => this.showCall();
    this.shortcuts.register([
      { key: 'a', group: 'Calls', description: 'Answer the ringing call', enabled: () => this.store.ringing() !== null, run: () => void this.store.answer() },
      { key: 'd', group: 'Calls', description: 'Decline the ringing call', enabled: () => this.showOffer(), run: () => void this.store.decline() },
      { key: 'm', group: 'Calls', description: 'Mute or unmute', enabled: onCall, run: () => void this.store.toggleMute() },
      { key: 'h', group: 'Calls', description: 'Hold or resume', enabled: () => this.showCall() && this.store.call() !== null, run: () => void this.store.toggleHold() },
      { key: 'x', group: 'Calls', description: 'Hang up', enabled: onCall, run: () => void this.store.hangup() },
      { key: 'k', group: 'Calls', description: 'Open the keypad (then type digits)', enabled: onCall, run: () => this.callPanel()?.toggleKeypad() },
      { key: 't', group: 'Calls', description: 'Transfer', enabled: () => this.showCall() && this.store.call() !== null, run: () => this.callPanel()?.toggleTransfer() },
      { key: '0–9 * #', group: 'Calls', description: 'Send touch tones while the keypad is open', enabled: () => false, run: () => undefined },
      { key: '1–8', group: 'Wrap-up', description: 'Choose a disposition', enabled: () => false, run: () => undefined },
      { key: 'Enter', group: 'Wrap-up', description: 'Complete the wrap-up (in the form)', enabled: () => false, run: () => undefined },
      ...DTMF_KEYS.map((key) => ({
        key,
        hidden: true,
        group: 'Keypad',
        description: `Send ${key}`,
        enabled: () => this.callPanel() !== undefined && onCall() && this.keypadOpen(),
        run: () => this.callPanel()?.press(key),
      })),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({
        key: String(n),
        hidden: true,
        group: 'Wrap-up',
        description: `Choose disposition ${n}`,
        enabled: () => this.showWrapUp(),
        run: () => this.wrapUp()?.choose(n - 1),
      })),
    ]);
  }

  private keypadOpen(): boolean {
    return this.callPanel()?.keypadOpen() ?? false;
  }

  /** A ringing call shows in the tab's title, for an agent working in another tab. */
  private ringInTitle(): void {
    const title = inject(Title);
    let ringingBefore = false;
    effect(() => {
      const ringing = this.store.ringing();
      if (ringing) title.setTitle(`Incoming call ${ringing.remoteNumber ?? ''} · callstream`);
      else if (ringingBefore) title.setTitle('Desk · callstream');
      ringingBefore = ringing !== null;
    });
  }

  /** Opened with ?dial=…&from=… (call-back from a voicemail): dial once the softphone is registered. */
  private callBackFromLink(): void {
    const route = inject(ActivatedRoute);
    const router = inject(Router);
    const number = route.snapshot.queryParamMap.get('dial');
    if (!number) return;
    const from = route.snapshot.queryParamMap.get('from');
    const ref = effect(() => {
      if (this.store.phone.registration() !== 'registered' || !this.store.agent()) return;
      ref.destroy();
      untracked(() => {
        void router.navigate([], { queryParams: {}, replaceUrl: true });
        void this.store.callBack(number, from);
      });
    });
  }

  protected callBack(target: { number: string; callId: string }): void {
    void this.store.callBack(target.number, target.callId);
  }
}
