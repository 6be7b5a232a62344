import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { Api } from '../core/authed-api.service';
import { NotifyService } from '../core/notify.service';
import { formatDuration } from '../core/time';
import { RECORDING_URL } from '../graphql/documents';
import { IconComponent } from './icon.component';

/**
 * Plays a stored recording: asks the API for a short-lived link (which checks the user's rights)
 * only when the user presses play, so links never expire on screen unused.
 */
@Component({
  selector: 'cs-recording-player',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (src(); as url) {
      <audio [src]="url" controls autoplay preload="auto" data-testid="recording-audio"></audio>
    } @else {
      <button class="small" (click)="play()" [disabled]="loading()" [title]="'Play the recording' + (duration() ? ' (' + fmt(duration()) + ')' : '')" data-testid="recording-play">
        <cs-icon name="play" [size]="13" /> {{ loading() ? 'Loading…' : label() }}
      </button>
    }
  `,
  styles: `audio { height: 32px; max-width: 280px; vertical-align: middle; }`,
})
export class RecordingPlayerComponent {
  private readonly api = inject(Api);
  private readonly notify = inject(NotifyService);
  readonly callId = input.required<string>();
  readonly recordingId = input.required<string>();
  readonly duration = input<number | null>(null);
  readonly label = input('Play');
  protected readonly src = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected fmt = formatDuration;

  protected async play(): Promise<void> {
    this.loading.set(true);
    try {
      const { recordingUrl } = await this.api.query(RECORDING_URL, { callId: this.callId(), recordingId: this.recordingId() });
      this.src.set(recordingUrl.url);
    } catch (error) {
      this.notify.error(error, 'Could not open the recording');
    } finally {
      this.loading.set(false);
    }
  }
}
