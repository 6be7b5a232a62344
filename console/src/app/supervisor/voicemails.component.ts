import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-voicemails',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>VoicemailsComponent</h1></div>`,
})
export class VoicemailsComponent {}
