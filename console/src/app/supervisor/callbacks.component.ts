import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-callbacks',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>CallbacksComponent</h1></div>`,
})
export class CallbacksComponent {}
