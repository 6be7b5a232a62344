import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { ChartConfiguration } from 'chart.js';
import { Api } from '../core/authed-api.service';
import { ClockService } from '../core/clock.service';
import { NotifyService } from '../core/notify.service';
import { SessionStore } from '../core/session-store';
import { formatApproxDuration, formatDuration, formatPercent, fromLocalInput, toLocalInput } from '../core/time';
import { QUEUES, REPORTS, WALLBOARD } from '../graphql/documents';
import type { ReportGranularity, ReportRow, ReportScope } from '../graphql/types';
import { ChartComponent } from '../shared/chart.component';
import { agentBuckets, periodRange, queueBuckets, queueTotals, type Period } from './report-logic';

const pad = (n: number) => String(n).padStart(2, '0');

/** Interval reports by queue or agent, charted and tabulated. */
@Component({
  selector: 'cs-reports',
  imports: [FormsModule, ChartComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-head"><h1>Reports</h1><span class="sub">{{ rangeText() }}</span></div>
      <form class="card controls" (ngSubmit)="run()">
        <div class="seg" role="radiogroup" aria-label="Scope">
          <button type="button" [class.active]="scope() === 'QUEUE'" (click)="setScope('QUEUE')">Queues</button>
          <button type="button" [class.active]="scope() === 'AGENT'" (click)="setScope('AGENT')">Agents</button>
        </div>
        <select name="id" [(ngModel)]="id" aria-label="Which" data-testid="report-id">
          <option value="">{{ scope() === 'QUEUE' ? 'All queues' : 'All agents' }}</option>
          @for (o of options(); track o.id) { <option [value]="o.id">{{ o.name }}</option> }
        </select>
        <div class="seg" role="radiogroup" aria-label="Period">
          @for (p of periods; track p.value) {
            <button type="button" [class.active]="period() === p.value" (click)="period.set(p.value)">{{ p.label }}</button>
          }
        </div>
        @if (period() === 'custom') {
          <input type="datetime-local" name="from" [(ngModel)]="from" aria-label="From" />
          <input type="datetime-local" name="to" [(ngModel)]="to" aria-label="To" />
        }
        <div class="seg" role="radiogroup" aria-label="Granularity">
          <button type="button" [class.active]="granularity() === 'INTERVAL'" (click)="granularity.set('INTERVAL')">15 min</button>
          <button type="button" [class.active]="granularity() === 'DAY'" (click)="granularity.set('DAY')">Day</button>
        </div>
        <button class="primary" type="submit" [disabled]="loading()" data-testid="report-run">{{ loading() ? 'Loading…' : 'Show' }}</button>
      </form>

      @if (rows(); as r) {
        @if (scope() === 'QUEUE') {
          <div class="tiles">
            <div class="tile"><div class="label">Offered</div><div class="value">{{ totals().offered }}</div></div>
            <div class="tile good"><div class="label">Answered</div><div class="value">{{ totals().answered }}</div></div>
            <div class="tile" [class.alert]="totals().abandoned > 0"><div class="label">Abandoned</div><div class="value">{{ totals().abandoned }}</div></div>
            <div class="tile"><div class="label">Service level</div><div class="value">{{ pct(totals().serviceLevel) }}</div></div>
            <div class="tile"><div class="label">ASA</div><div class="value">{{ approx(totals().asaSeconds) }}</div></div>
            <div class="tile"><div class="label">AHT</div><div class="value">{{ approx(totals().ahtSeconds) }}</div></div>
            <div class="tile"><div class="label">Longest wait</div><div class="value">{{ dur(totals().longestWaitSeconds) }}</div></div>
          </div>
          <div class="grid two">
            <section class="card"><header><h2>Volume and service level</h2></header><div class="body"><cs-chart [config]="volumeChart()" label="Calls offered, answered and abandoned, with the service level" /></div></section>
            <section class="card"><header><h2>Speed of answer and handle time</h2></header><div class="body"><cs-chart [config]="timeChart()" label="ASA and AHT per interval" /></div></section>
          </div>
          <section class="card">
            <div class="body flush">
              <table class="data" data-testid="report-table">
                <thead><tr><th>{{ granularity() === 'DAY' ? 'Day' : 'Interval' }}</th><th class="right">Offered</th><th class="right">Answered</th><th class="right">Abandoned</th><th class="right">Service level</th><th class="right">ASA</th><th class="right">AHT</th><th class="right">Longest wait</th></tr></thead>
                <tbody>
                  @for (b of queueRows(); track b.start) {
                    <tr><td class="num">{{ label(b.start) }}</td><td class="right num">{{ b.offered }}</td><td class="right num">{{ b.answered }}</td><td class="right num">{{ b.abandoned }}</td><td class="right num">{{ pct(b.serviceLevel) }}</td><td class="right num">{{ approx(b.asaSeconds) }}</td><td class="right num">{{ approx(b.ahtSeconds) }}</td><td class="right num">{{ dur(b.longestWaitSeconds) }}</td></tr>
                  } @empty {
                    <tr><td colspan="8" class="empty">No calls in this period.</td></tr>
                  }
                </tbody>
              </table>
            </div>
          </section>
        } @else {
          <section class="card"><header><h2>Calls handled and time on calls</h2></header><div class="body"><cs-chart [config]="agentChart()" label="Calls handled and minutes talking per interval" /></div></section>
          <section class="card">
            <div class="body flush">
              <table class="data" data-testid="report-table">
                <thead><tr><th>{{ granularity() === 'DAY' ? 'Day' : 'Interval' }}</th><th class="right">Offers</th><th class="right">Handled</th><th class="right">Missed</th><th class="right">Talk</th><th class="right">Hold</th><th class="right">Wrap-up</th></tr></thead>
                <tbody>
                  @for (b of agentRows(); track b.start) {
                    <tr><td class="num">{{ label(b.start) }}</td><td class="right num">{{ b.offers }}</td><td class="right num">{{ b.handled }}</td><td class="right num">{{ b.missed }}</td><td class="right num">{{ dur(b.talkMinutes * 60) }}</td><td class="right num">{{ dur(b.holdMinutes * 60) }}</td><td class="right num">{{ dur(b.wrapUpMinutes * 60) }}</td></tr>
                  } @empty {
                    <tr><td colspan="7" class="empty">No activity in this period.</td></tr>
                  }
                </tbody>
              </table>
            </div>
          </section>
        }
      } @else if (!loading()) {
        <p class="muted">Choose what to report on and press Show.</p>
      }
    </div>
  `,
  styles: `
    .controls { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; padding: 10px 14px; }
    .seg { display: inline-flex; }
    .seg button { border-radius: 0; }
    .seg button:first-child { border-radius: 6px 0 0 6px; }
    .seg button:last-child { border-radius: 0 6px 6px 0; }
    .two { grid-template-columns: 1fr 1fr; }
    @media (max-width: 1100px) { .two { grid-template-columns: 1fr; } }
  `,
})
export class ReportsComponent {
  private readonly api = inject(Api);
  private readonly notify = inject(NotifyService);
  private readonly clock = inject(ClockService);
  private readonly store = inject(SessionStore);

  protected readonly periods: Array<{ value: Period; label: string }> = [
    { value: 'today', label: 'Today' },
    { value: 'yesterday', label: 'Yesterday' },
    { value: 'week', label: '7 days' },
    { value: 'custom', label: 'Custom' },
  ];
  protected readonly scope = signal<ReportScope>('QUEUE');
  protected readonly id = signal('');
  protected readonly period = signal<Period>('today');
  protected readonly granularity = signal<ReportGranularity>('INTERVAL');
  protected readonly from = signal(toLocalInput(Date.now() - 8 * 3_600_000));
  protected readonly to = signal(toLocalInput(Date.now()));
  protected readonly loading = signal(false);
  protected readonly rows = signal<ReportRow[] | null>(null);
  private readonly shownRange = signal<{ from: string; to: string } | null>(null);
  private readonly queueOptions = signal<Array<{ id: string; name: string }>>([]);
  private readonly agentOptions = signal<Array<{ id: string; name: string }>>([]);

  protected readonly options = computed(() => (this.scope() === 'QUEUE' ? this.queueOptions() : this.agentOptions()));
  protected readonly queueRows = computed(() => queueBuckets(this.rows() ?? []));
  protected readonly agentRows = computed(() => agentBuckets(this.rows() ?? []));
  protected readonly totals = computed(() => queueTotals(this.rows() ?? []));
  protected readonly rangeText = computed(() => {
    const r = this.shownRange();
    return r ? `${new Date(r.from).toLocaleString()} – ${new Date(r.to).toLocaleString()}` : '';
  });

  protected readonly volumeChart = computed<ChartConfiguration<'bar' | 'line'>>(() => {
    const b = this.queueRows();
    return {
      type: 'bar',
      data: {
        labels: b.map((x) => this.label(x.start)),
        datasets: [
          { type: 'bar', label: 'Offered', data: b.map((x) => x.offered), backgroundColor: '#c7d3f7', yAxisID: 'y' },
          { type: 'bar', label: 'Answered', data: b.map((x) => x.answered), backgroundColor: '#2f9e63', yAxisID: 'y' },
          { type: 'bar', label: 'Abandoned', data: b.map((x) => x.abandoned), backgroundColor: '#d9534a', yAxisID: 'y' },
          { type: 'line', label: 'Service level %', data: b.map((x) => (x.serviceLevel === null ? null : Math.round(x.serviceLevel * 100))), borderColor: '#5b3cc4', backgroundColor: '#5b3cc4', yAxisID: 'sl', spanGaps: true },
        ],
      },
      options: {
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'calls' } },
          sl: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: 'service level %' } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    };
  });

  protected readonly timeChart = computed<ChartConfiguration<'bar' | 'line'>>(() => {
    const b = this.queueRows();
    return {
      type: 'line',
      data: {
        labels: b.map((x) => this.label(x.start)),
        datasets: [
          { type: 'line', label: 'ASA (s)', data: b.map((x) => x.asaSeconds), borderColor: '#0b6aa2', backgroundColor: '#0b6aa2', spanGaps: true },
          { type: 'line', label: 'AHT (s)', data: b.map((x) => x.ahtSeconds), borderColor: '#a15c00', backgroundColor: '#a15c00', spanGaps: true },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'seconds' } } }, plugins: { legend: { position: 'bottom' } } },
    };
  });

  protected readonly agentChart = computed<ChartConfiguration<'bar' | 'line'>>(() => {
    const b = this.agentRows();
    return {
      type: 'bar',
      data: {
        labels: b.map((x) => this.label(x.start)),
        datasets: [
          { type: 'bar', label: 'Handled', data: b.map((x) => x.handled), backgroundColor: '#2f9e63', yAxisID: 'y' },
          { type: 'bar', label: 'Missed', data: b.map((x) => x.missed), backgroundColor: '#d9534a', yAxisID: 'y' },
          { type: 'line', label: 'Talk (min)', data: b.map((x) => Math.round(x.talkMinutes * 10) / 10), borderColor: '#0b6aa2', backgroundColor: '#0b6aa2', yAxisID: 'min' },
        ],
      },
      options: {
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'calls' } },
          min: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'minutes' } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    };
  });

  constructor() {
    this.api.query(QUEUES).then(
      (r) => this.queueOptions.set(r.queues.map((q) => ({ id: q.id, name: q.name ?? q.id }))),
      () => undefined,
    );
    if (this.store.hasRole('SUPERVISOR', 'ADMIN')) {
      this.api.query(WALLBOARD).then(
        (r) => this.agentOptions.set(r.wallboard.agents.map((a) => ({ id: a.id, name: a.name ?? a.id }))),
        () => undefined,
      );
    }
    void this.run();
  }

  protected setScope(scope: ReportScope): void {
    this.scope.set(scope);
    this.id.set('');
    this.rows.set(null);
  }

  protected async run(): Promise<void> {
    const period = this.period();
    const range =
      period === 'custom' ? { from: fromLocalInput(this.from()) ?? new Date(0).toISOString(), to: fromLocalInput(this.to()) ?? new Date(this.clock.now()).toISOString() } : periodRange(period, this.clock.now());
    this.loading.set(true);
    try {
      const { reports } = await this.api.query(REPORTS, { scope: this.scope(), id: this.id() || null, from: range.from, to: range.to, granularity: this.granularity() });
      this.rows.set(reports);
      this.shownRange.set(range);
    } catch (error) {
      this.notify.error(error, 'Could not load the report');
    } finally {
      this.loading.set(false);
    }
  }

  protected label(start: string): string {
    const d = new Date(start);
    return this.granularity() === 'DAY' ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  protected pct = formatPercent;
  protected approx = formatApproxDuration;
  protected dur = formatDuration;
}
