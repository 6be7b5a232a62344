import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { IconComponent } from '../shared/icon.component';
import { DeskStore } from './desk.store';

/** Outbound calls: type or click a number; the softphone places the call and the backend connects it. */
@Component({
  selector: 'cs-dial-pad',
  imports: [FormsModule, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="dial-pad">
      <header><cs-icon name="phone" /><h2>Call out</h2></header>
      <form class="body" (ngSubmit)="call()">
        <div class="row">
          <input name="number" [(ngModel)]="number" placeholder="+15551234567" aria-label="Number to call" class="mono grow" data-testid="dial-number" />
          <button class="ok" type="submit" [disabled]="!number() || disabled()" data-testid="dial-call">Call</button>
        </div>
        <div class="pad">
          @for (k of keys; track k) { <button type="button" class="key" (click)="number.set(number() + k)">{{ k }}</button> }
        </div>
        @if (disabled()) { <p class="muted small">{{ reason() }}</p> }
      </form>
    </section>
  `,
  styles: `
    .grow { flex: 1; font-size: 15px; }
    .pad { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; margin-top: 10px; }
    .key { height: 36px; font-family: var(--mono); font-size: 16px; }
  `,
})
export class DialPadComponent {
  private readonly store = inject(DeskStore);
  protected readonly keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '0', '#'];
  protected readonly number = signal('');

  protected disabled(): boolean {
    return this.store.phone.registration() !== 'registered' || this.store.engaged();
  }

  protected reason(): string {
    return this.store.phone.registration() !== 'registered' ? 'The softphone is not registered yet.' : 'Finish the current call first.';
  }

  /** Fills the number (call-back from history or voicemail). */
  prefill(number: string): void {
    this.number.set(number);
  }

  protected call(): void {
    if (this.store.dial(this.number())) this.number.set('');
  }
}
