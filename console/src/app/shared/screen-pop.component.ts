import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { RouterLink } from '@angular/router';
import { formatDateTime, formatDuration } from '../core/time';
import type { CallAttributes, CallCaller, CallSummary, IvrInfo } from '../graphql/types';
import { languageName } from '../agent/desk-logic';
import { outcomeLabel } from './labels';

/** Who is calling: the CRM record, what the IVR learned, and the caller's previous calls. */
@Component({
  selector: 'cs-screen-pop',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="pop" data-testid="screen-pop">
      <section>
        <h3>Customer</h3>
        @if (contact(); as c) {
          <div class="who">
            <strong class="name">{{ c.name || caller().name || 'Unnamed contact' }}</strong>
            @if (c.tier) { <span class="badge violet">{{ c.tier }}</span> }
          </div>
          <dl class="kv">
            @if (c.account) { <dt>Account</dt><dd>{{ c.account }}</dd> }
            @if (c.email) { <dt>Email</dt><dd>{{ c.email }}</dd> }
            <dt>Number</dt><dd class="mono">{{ caller().number || '–' }}</dd>
            @if (c.language) { <dt>Prefers</dt><dd>{{ lang(c.language) }}</dd> }
            @if (c.notes) { <dt>Notes</dt><dd>{{ c.notes }}</dd> }
          </dl>
          @if (c.tags?.length) {
            <div class="row wrap tags">@for (t of c.tags; track t) { <span class="badge">{{ t }}</span> }</div>
          }
        } @else {
          <div class="who"><strong class="name">{{ caller().name || 'Unknown caller' }}</strong><span class="badge">Not in CRM</span></div>
          <dl class="kv"><dt>Number</dt><dd class="mono">{{ caller().number || 'withheld' }}</dd></dl>
        }
      </section>
      @if (hasIvr()) {
        <section>
          <h3>From the IVR</h3>
          <div class="row wrap chips" data-testid="ivr-attributes">
            @if (language(); as l) { <span class="badge info">Language: {{ l }}</span> }
            @if (attributes()?.department; as d) { <span class="badge brand">Department: {{ d }}</span> }
            @for (s of attributes()?.skills ?? []; track s.skill) { <span class="badge">Skill: {{ s.skill }} ≥ {{ s.minLevel }}</span> }
            @if (attributes()?.priority) { <span class="badge warn">Priority {{ attributes()?.priority }}</span> }
          </div>
          @if (ivr()?.selections?.length) {
            <p class="muted small path">Path: @for (s of ivr()!.selections; track s.at; let last = $last) {{{ s.label }}{{ s.byDefault ? ' (default)' : '' }}@if (!last) { → }}</p>
          }
        </section>
      }
      <section>
        <h3>Previous calls <span class="muted">({{ previousCount() }})</span></h3>
        @if (previous().length) {
          <table class="data compact">
            @for (p of previous(); track p.id) {
              <tr>
                <td class="num">{{ when(p.startedAt) }}</td>
                <td>{{ outcome(p.outcome) }}</td>
                <td class="num right">{{ duration(p.durationSeconds) }}</td>
                <td>{{ p.agentId || '' }}</td>
                <td class="right">
                  @if (linkCalls()) { <a [routerLink]="['/calls', p.id]">Open</a> }
                  @else if (p.callerNumber) { <button class="small ghost" (click)="callBack.emit(p.callerNumber)">Call back</button> }
                </td>
              </tr>
            }
          </table>
        } @else {
          <p class="muted small">No earlier calls from this number.</p>
        }
      </section>
    </div>
  `,
  styles: `
    .pop { display: flex; flex-direction: column; gap: 14px; }
    section { display: flex; flex-direction: column; gap: 6px; }
    .who { display: flex; align-items: center; gap: 8px; }
    .name { font-size: 16px; }
    .chips { gap: 6px; }
    .path { margin: 0; }
    table.compact td { padding: 4px 6px; font-size: 12.5px; }
  `,
})
export class ScreenPopComponent {
  readonly caller = input.required<CallCaller>();
  readonly attributes = input<CallAttributes | null>(null);
  readonly ivr = input<IvrInfo | null>(null);
  readonly previousCalls = input<CallSummary[]>([]);
  /** Supervisors and analysts open past calls; agents call back. */
  readonly linkCalls = input(false);
  readonly callBack = output<string>();

  protected readonly contact = computed(() => this.caller().contact ?? null);
  protected readonly language = computed(() => languageName(this.attributes()?.language ?? this.ivr()?.language));
  protected readonly previous = computed(() => this.previousCalls());
  protected readonly hasIvr = computed(() => {
    const a = this.attributes();
    return !!(a?.language || a?.department || a?.priority || a?.skills.length || this.ivr()?.language || this.ivr()?.selections.length);
  });
  protected readonly previousCount = computed(() => this.caller().previousCalls ?? this.previousCalls().length);

  protected lang = languageName;
  protected when = formatDateTime;
  protected duration = formatDuration;
  protected outcome = outcomeLabel;
}
