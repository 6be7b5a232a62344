import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cs-history',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="page"><h1>HistoryComponent</h1></div>`,
})
export class HistoryComponent {}
