import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-call-timeline',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>CallTimelineComponent</h1></div>`,
})
export class CallTimelineComponent {}
