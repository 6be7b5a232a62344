import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { ApiError } from '../core/api-error';
import { describeLoginError } from '../core/errors';
import { homePath } from '../core/roles';
import { SessionService } from '../core/session.service';
import { SessionStore } from '../core/session-store';

@Component({
  selector: 'cs-login',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="wrap">
      <form class="card" (ngSubmit)="submit()" aria-labelledby="login-title">
        <div class="head">
          <svg viewBox="0 0 32 32" width="36" height="36" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#1f3a8a"/><path d="M9 10c0 7 6 13 13 13l2-3-4-2-2 2c-2-1-5-4-6-6l2-2-2-4z" fill="#fff"/></svg>
          <div>
            <h1 id="login-title">callstream</h1>
            <p class="muted">Sign in to the contact center console</p>
          </div>
        </div>
        @if (session.endedBecause(); as reason) {
          <p class="notice" role="status" data-testid="login-notice">{{ reason }}</p>
        }
        <label class="field">Username
          <input name="username" autocomplete="username" [(ngModel)]="username" required autofocus data-testid="login-username" />
        </label>
        <label class="field">Password
          <input name="password" type="password" autocomplete="current-password" [(ngModel)]="password" required data-testid="login-password" />
        </label>
        @if (error(); as e) {
          <p class="error-text" role="alert" data-testid="login-error">{{ e }}</p>
        }
        <button class="primary big" type="submit" [disabled]="busy() || !username() || !password()" data-testid="login-submit">
          {{ busy() ? 'Signing in…' : 'Sign in' }}
        </button>
        <p class="muted small">This browser is device <span class="mono">{{ session.deviceId }}</span>; agents get a softphone for it.</p>
      </form>
    </div>
  `,
  styles: `
    .wrap { min-height: 100vh; display: grid; place-items: center; padding: 24px; background: radial-gradient(circle at 20% 10%, #dfe7ff, transparent 55%), var(--bg); }
    form { width: min(380px, 100%); padding: 24px; display: flex; flex-direction: column; gap: 14px; }
    .head { display: flex; gap: 12px; align-items: center; margin-bottom: 4px; }
    .head p { margin: 2px 0 0; }
    .notice { margin: 0; padding: 8px 10px; border-radius: 6px; background: var(--warn-soft); color: #5b3400; }
    input { min-height: 38px; }
  `,
})
export class LoginComponent {
  protected readonly session = inject(SessionService);
  private readonly store = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly username = signal('');
  protected readonly password = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    if (this.store.signedIn()) void this.router.navigateByUrl(homePath(this.store.roles()));
  }

  protected async submit(): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    try {
      const session = await this.session.login(this.username().trim(), this.password());
      const next = this.route.snapshot.queryParamMap.get('next');
      await this.router.navigateByUrl(next && next.startsWith('/') && next !== '/login' ? next : homePath(session.me.roles));
    } catch (error) {
      this.error.set(error instanceof ApiError ? describeLoginError(error.info) : 'Could not reach the server. Try again.');
      this.password.set('');
    } finally {
      this.busy.set(false);
    }
  }
}
