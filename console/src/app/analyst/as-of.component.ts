import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-as-of',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>AsOfComponent</h1></div>`,
})
export class AsOfComponent {}
