import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter, map } from 'rxjs';
import { ClockService } from './core/clock.service';
import { ConnectionService } from './core/connection.service';
import { NotifyService } from './core/notify.service';
import { NAV, allowed } from './core/roles';
import { SessionService } from './core/session.service';
import { SessionStore } from './core/session-store';
import { ShortcutService } from './core/shortcuts.service';
import { formatDuration } from './core/time';
import { REMOTE_AUDIO_ID, SoftphoneService } from './softphone/softphone.service';

@Component({
  selector: 'cs-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (store.signedIn()) {
      <header class="top">
        <a class="brand" routerLink="/" aria-label="callstream home">
          <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#fff" fill-opacity=".15"/><path d="M9 10c0 7 6 13 13 13l2-3-4-2-2 2c-2-1-5-4-6-6l2-2-2-4z" fill="#fff"/></svg>
          callstream
        </a>
        <nav aria-label="Main">
          @for (item of nav(); track item.path) {
            <a [routerLink]="item.path" routerLinkActive="current" [title]="item.hint">{{ item.label }}</a>
          }
        </nav>
        <span class="spacer"></span>
        <span class="status" [class]="'status link-' + connection.state()" data-testid="connection-state" [title]="connectionTitle()">
          <span class="dot" [class.pulse]="connection.state() === 'reconnecting' || connection.state() === 'connecting'"></span>
          {{ connectionLabel() }}
        </span>
        @if (phone.enabled()) {
          <span class="status" [class]="'status phone-' + phone.registration()" data-testid="softphone-state" [title]="phone.error() ?? phoneTitle()">
            <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true"><path fill="currentColor" d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>
            {{ phoneLabel() }}
          </span>
        }
        <span class="user" [title]="roles()">
          <span class="avatar" aria-hidden="true">{{ initials() }}</span>
          <span class="who"><strong>{{ store.me()?.displayName }}</strong><span>{{ roles() }}</span></span>
        </span>
        <button class="ghost on-dark" (click)="shortcuts.helpOpen.set(true)" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">?</button>
        <button class="ghost on-dark" (click)="signOut()" data-testid="sign-out">Sign out</button>
      </header>

      @if (connection.state() === 'offline' || connection.state() === 'reconnecting') {
        <div class="stale" role="status" data-testid="stale-banner">
          {{ connection.state() === 'offline' ? 'You are offline.' : 'The live connection dropped.' }}
          What you see may be out of date; the console reconnects on its own and then refreshes every view.
        </div>
      }

      @if (bannerCall(); as ringing) {
        <div class="incoming" role="alert" data-testid="global-incoming">
          <span class="dot pulse"></span>
          <strong>{{ ringing.purpose === 'supervisor' ? 'Supervision leg' : 'Incoming call' }}</strong>
          <span class="mono">{{ ringing.remoteName || ringing.remoteNumber || 'Unknown' }}</span>
          <span class="muted">ringing {{ ringFor(ringing.createdAt) }}</span>
          <span class="spacer"></span>
          <button class="ok" (click)="phone.answer(ringing.id)">Answer</button>
          <button class="danger" (click)="phone.hangup(ringing.id)">Decline</button>
          @if (!onDesk() && store.hasRole('AGENT')) {
            <a routerLink="/desk">Open desk</a>
          }
        </div>
      }
    }

    <main [class.bare]="!store.signedIn()">
      <router-outlet />
    </main>

    <audio [id]="remoteAudioId" autoplay></audio>

    <div class="toasts" aria-live="polite">
      @for (t of notify.toasts(); track t.id) {
        <div class="toast" [class]="'toast ' + t.kind" role="status">
          <span>{{ t.text }}</span>
          <button class="ghost small" (click)="notify.dismiss(t.id)" aria-label="Dismiss">✕</button>
        </div>
      }
    </div>

    @if (shortcuts.helpOpen()) {
      <div class="overlay" (click)="shortcuts.helpOpen.set(false)">
        <div class="card help" role="dialog" aria-label="Keyboard shortcuts" (click)="$event.stopPropagation()">
          <header><h2>Keyboard shortcuts</h2><span class="spacer"></span><button class="ghost small" (click)="shortcuts.helpOpen.set(false)">Close <kbd>Esc</kbd></button></header>
          <div class="body">
            @for (group of shortcutGroups(); track group.name) {
              <h3>{{ group.name }}</h3>
              <table class="data">
                @for (s of group.items; track s.key + s.description) {
                  <tr><td class="keys"><kbd>{{ s.key.length === 1 ? s.key.toUpperCase() : s.key }}</kbd></td><td>{{ s.description }}</td></tr>
                }
              </table>
            } @empty {
              <p class="muted">This page has no shortcuts.</p>
            }
            <p class="muted small">Shortcuts are off while you type in a field. <kbd>?</kbd> opens this list.</p>
          </div>
        </div>
      </div>
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; min-height: 100vh; }
    .top { display: flex; align-items: center; gap: 14px; padding: 0 16px; height: 52px; background: #16244f; color: #fff; position: sticky; top: 0; z-index: 20; }
    .brand { display: flex; align-items: center; gap: 8px; color: #fff; font-weight: 700; font-size: 16px; letter-spacing: 0.01em; }
    .brand:hover { text-decoration: none; }
    nav { display: flex; gap: 2px; margin-left: 8px; }
    nav a { color: #c9d3f2; padding: 6px 10px; border-radius: 6px; font-weight: 550; }
    nav a:hover { background: rgba(255, 255, 255, 0.08); color: #fff; text-decoration: none; }
    nav a.current { background: rgba(255, 255, 255, 0.16); color: #fff; }
    .status { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; font-weight: 600; padding: 3px 10px; border-radius: 999px; background: rgba(255, 255, 255, 0.1); color: #dfe6fb; }
    .link-connected, .link-idle, .phone-registered { background: rgba(38, 194, 110, 0.2); color: #9cf0c0; }
    .link-reconnecting, .link-connecting, .phone-connecting, .phone-reconnecting { background: rgba(255, 184, 0, 0.2); color: #ffd98a; }
    .link-offline, .phone-failed { background: rgba(255, 90, 80, 0.25); color: #ffb4ad; }
    .phone-off { color: #aab4d4; }
    .user { display: flex; align-items: center; gap: 8px; }
    .avatar { width: 28px; height: 28px; border-radius: 50%; background: #3c5bd6; display: grid; place-items: center; font-weight: 700; font-size: 12px; }
    .who { display: flex; flex-direction: column; line-height: 1.15; font-size: 12.5px; }
    .who span { color: #aab4d4; font-size: 11px; }
    button.on-dark { color: #dfe6fb; }
    button.on-dark:hover:not(:disabled) { background: rgba(255, 255, 255, 0.1); }
    main { flex: 1; min-width: 0; }
    .stale { padding: 6px 16px; background: #fff4d6; color: #5b3400; border-bottom: 1px solid #f0d49a; font-size: 13px; }
    .incoming { display: flex; align-items: center; gap: 10px; padding: 8px 16px; background: var(--warn-soft); color: #5b3400; border-bottom: 1px solid #f0d49a; position: sticky; top: 52px; z-index: 15; }
    .incoming .dot { color: var(--warn); }
    .toasts { position: fixed; right: 16px; bottom: 16px; display: flex; flex-direction: column; gap: 8px; z-index: 50; max-width: 440px; }
    .toast { display: flex; align-items: flex-start; gap: 8px; padding: 10px 12px; border-radius: 8px; box-shadow: 0 6px 24px rgba(0, 0, 0, 0.16); background: #fff; border-left: 4px solid var(--info); }
    .toast.error { border-left-color: var(--danger); }
    .toast.success { border-left-color: var(--ok); }
    .toast span { flex: 1; }
    .overlay { position: fixed; inset: 0; background: rgba(15, 22, 40, 0.4); display: grid; place-items: center; z-index: 60; }
    .help { width: min(520px, 92vw); max-height: 80vh; overflow: auto; }
    .help h3 { margin: 12px 0 4px; }
    .help td.keys { width: 90px; white-space: nowrap; }
  `,
})
export class AppComponent {
  protected readonly store = inject(SessionStore);
  protected readonly session = inject(SessionService);
  protected readonly connection = inject(ConnectionService);
  protected readonly phone = inject(SoftphoneService);
  protected readonly notify = inject(NotifyService);
  protected readonly shortcuts = inject(ShortcutService);
  private readonly clock = inject(ClockService);
  private readonly router = inject(Router);
  protected readonly remoteAudioId = REMOTE_AUDIO_ID;

  private readonly url = toSignal(
    this.router.events.pipe(
      filter((e): e is NavigationEnd => e instanceof NavigationEnd),
      map((e) => e.urlAfterRedirects),
    ),
    { initialValue: this.router.url },
  );
  protected readonly onDesk = computed(() => this.url().startsWith('/desk'));
  protected readonly nav = computed(() => NAV.filter((n) => allowed(n, this.store.roles())));
  protected readonly roles = computed(() => this.store.roles().map((r) => r.charAt(0) + r.slice(1).toLowerCase()).join(', '));
  protected readonly initials = computed(() =>
    (this.store.me()?.displayName ?? '?')
      .split(/\s+/)
      .map((w) => w.charAt(0))
      .join('')
      .slice(0, 2)
      .toUpperCase(),
  );
  /** The desk shows its own ringing card; elsewhere the banner does. */
  protected readonly bannerCall = computed(() => (this.onDesk() ? undefined : this.phone.ringing()[0]));

  protected readonly connectionLabel = computed(() => {
    switch (this.connection.state()) {
      case 'connected':
      case 'idle':
        return 'Live';
      case 'connecting':
        return 'Connecting…';
      case 'reconnecting': {
        const at = this.connection.nextRetryAt();
        const left = at ? Math.max(0, Math.ceil((at - this.clock.local()) / 1000)) : null;
        return left ? `Reconnecting in ${left} s` : 'Reconnecting…';
      }
      case 'offline':
        return 'Offline';
    }
  });
  protected readonly connectionTitle = computed(() => {
    const reason = this.connection.closeReason();
    return reason ? `Live updates: ${this.connection.state()} (${reason})` : `Live updates: ${this.connection.state()}`;
  });
  protected readonly phoneLabel = computed(() => {
    switch (this.phone.registration()) {
      case 'registered':
        return this.phone.calls().some((c) => c.phase === 'active' || c.phase === 'held') ? 'Phone on a call' : 'Phone ready';
      case 'connecting':
        return 'Phone connecting…';
      case 'reconnecting':
        return 'Phone reconnecting…';
      case 'failed':
        return 'Phone failed';
      case 'off':
        return 'Phone off';
    }
  });
  protected readonly phoneTitle = computed(() => `Softphone ${this.phone.sipUsername() ?? ''}`.trim());
  protected readonly shortcutGroups = computed(() => {
    const groups = new Map<string, { key: string; description: string }[]>();
    for (const s of this.shortcuts.all().filter((x) => !x.hidden)) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
    return [...groups].map(([name, items]) => ({ name, items }));
  });

  protected ringFor(createdAt: number): string {
    return formatDuration((this.clock.local() - createdAt) / 1000);
  }

  protected signOut(): void {
    void this.session.logout();
  }
}
