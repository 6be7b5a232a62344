import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-events',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>EventsComponent</h1></div>`,
})
export class EventsComponent {}
