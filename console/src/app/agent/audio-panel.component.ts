import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { SoftphoneService } from '../softphone/softphone.service';
import { IconComponent } from '../shared/icon.component';

/** The softphone: registration, and the microphone and speaker used (remembered in this browser). */
@Component({
  selector: 'cs-audio-panel',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="audio-panel">
      <header>
        <cs-icon name="headset" />
        <h2>Softphone</h2>
        <span class="spacer"></span>
        <span class="badge" [class]="'badge ' + tone()" data-testid="softphone-registration">{{ label() }}</span>
      </header>
      <div class="body stack">
        @if (phone.error(); as e) { <p class="error-text">{{ e }}</p> }
        <dl class="kv">
          <dt>SIP user</dt><dd class="mono">{{ phone.sipUsername() ?? '–' }}</dd>
          <dt>Backend</dt><dd>{{ phone.reportedRegistered() === null ? 'not reported yet' : phone.reportedRegistered() ? 'knows you can take calls' : 'told you are unreachable' }}</dd>
        </dl>
        <label class="field">Microphone
          <select (change)="phone.setMicrophone(value($event))" [disabled]="!phone.inputs().length" data-testid="mic-select">
            @for (d of phone.inputs(); track d.deviceId) { <option [value]="d.deviceId" [selected]="d.deviceId === phone.audio().micId">{{ d.label }}</option> }
            @empty { <option>No microphone found</option> }
          </select>
        </label>
        <label class="field">Speaker
          <select (change)="phone.setSpeaker(value($event))" [disabled]="!phone.outputs().length" data-testid="speaker-select">
            @for (d of phone.outputs(); track d.deviceId) { <option [value]="d.deviceId" [selected]="d.deviceId === phone.audio().speakerId">{{ d.label }}</option> }
            @empty { <option>System default</option> }
          </select>
        </label>
        <button class="small" (click)="phone.loadDevices()" [disabled]="phone.registration() !== 'registered'">Refresh devices</button>
      </div>
    </section>
  `,
})
export class AudioPanelComponent {
  protected readonly phone = inject(SoftphoneService);
  protected readonly label = computed(() => ({ registered: 'Registered', connecting: 'Connecting…', reconnecting: 'Reconnecting…', failed: 'Failed', off: 'Off' })[this.phone.registration()]);
  protected readonly tone = computed(() => ({ registered: 'ok', connecting: 'warn', reconnecting: 'warn', failed: 'danger', off: '' })[this.phone.registration()]);
  protected value(event: Event): string {
    return (event.target as HTMLSelectElement).value;
  }
}
