import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-floor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>FloorComponent</h1></div>`,
})
export class FloorComponent {}
