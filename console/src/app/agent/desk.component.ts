import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-desk',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>DeskComponent</h1></div>`,
})
export class DeskComponent {}
