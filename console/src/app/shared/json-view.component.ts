import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** Raw JSON (webhooks verbatim, event data), indented, selectable and copyable. */
@Component({
  selector: 'cs-json',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="wrap">
      <button class="small ghost copy" (click)="copy()" title="Copy to the clipboard">Copy</button>
      <pre class="json" data-testid="raw-json">{{ text() }}</pre>
    </div>
  `,
  styles: `.wrap { position: relative; } .copy { position: absolute; top: 6px; right: 6px; color: #c9d3f2; }`,
})
export class JsonViewComponent {
  readonly value = input.required<unknown>();
  protected readonly text = computed(() => JSON.stringify(this.value(), null, 2));

  protected copy(): void {
    void navigator.clipboard?.writeText(this.text());
  }
}
