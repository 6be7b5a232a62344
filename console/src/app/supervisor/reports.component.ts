import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-reports',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>ReportsComponent</h1></div>`,
})
export class ReportsComponent {}
