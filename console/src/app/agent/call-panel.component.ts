import { ChangeDetectionStrategy, Component, computed, effect, ElementRef, inject, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ClockService } from '../core/clock.service';
import { formatClock, formatDuration, parseTime } from '../core/time';
import type { TransferMode } from '../graphql/types';
import { IconComponent } from '../shared/icon.component';
import { ScreenPopComponent } from '../shared/screen-pop.component';
import { DeskStore, type TransferTarget } from './desk.store';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** The connected call: who, how long, its state (recording, hold, mute), the toolbar, keypad, transfer and live transcript. */
@Component({
  selector: 'cs-call-panel',
  imports: [FormsModule, IconComponent, ScreenPopComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card call" data-testid="active-call">
      <header class="head">
        <div class="avatar"><cs-icon name="user" [size]="22" /></div>
        <div class="title">
          <div class="caption">{{ caption() }}</div>
          <div class="number mono" data-testid="call-number">{{ number() }}</div>
          @if (name()) { <div class="muted">{{ name() }}</div> }
        </div>
        <span class="spacer"></span>
        <div class="indicators">
          @if (recording() === 'ON') {
            <span class="badge danger rec" data-testid="recording-indicator" title="This call is being recorded"><span class="dot pulse"></span> REC</span>
          } @else if (recording() === 'PAUSED') {
            <span class="badge warn" data-testid="recording-indicator" title="Recording is paused">REC paused</span>
          }
          @if (held()) { <span class="badge violet" data-testid="hold-indicator">On hold</span> }
          @if (muted()) { <span class="badge warn" data-testid="mute-indicator">Muted</span> }
          @if (call()?.transcribing) { <span class="badge info">Transcribing</span> }
          @if (supervisors(); as s) { @if (s) { <span class="badge brand" data-testid="supervised-indicator" title="A supervisor is on the call">{{ s }}</span> } }
        </div>
        <div class="timer num" data-testid="call-timer" [title]="'Connected at ' + connectedAtText()">{{ talkTime() }}</div>
      </header>

      <div class="toolbar" role="toolbar" aria-label="Call controls">
        <button (click)="store.toggleMute()" [class.active]="muted()" [disabled]="!canControl()" data-testid="mute" title="Mute or unmute your microphone (M)">
          <cs-icon [name]="muted() ? 'micOff' : 'mic'" /> {{ muted() ? 'Unmute' : 'Mute' }} <kbd>M</kbd>
        </button>
        <button (click)="store.toggleHold()" [class.active]="held()" [disabled]="!call() || store.busy() === 'hold'" data-testid="hold" title="Put the caller on hold with music, or resume (H)">
          <cs-icon [name]="held() ? 'play' : 'pause'" /> {{ held() ? 'Resume' : 'Hold' }} <kbd>H</kbd>
        </button>
        <button (click)="toggleKeypad()" [class.active]="keypadOpen()" [disabled]="!store.phoneCall()" data-testid="keypad-toggle" title="Send touch tones (K)">
          <cs-icon name="keypad" /> Keypad <kbd>K</kbd>
        </button>
        <button (click)="toggleTransfer()" [class.active]="transferOpen()" [disabled]="!call() || transferring()" data-testid="transfer-toggle" title="Transfer to an agent, a queue or a number (T)">
          <cs-icon name="transfer" /> Transfer <kbd>T</kbd>
        </button>
        @if (recording() !== 'OFF') {
          <button (click)="store.toggleRecordingPause()" [disabled]="store.busy() === 'recording'" [title]="recording() === 'ON' ? 'Pause the recording (e.g. while the caller reads card details)' : 'Resume the recording'">
            <cs-icon [name]="recording() === 'ON' ? 'pause' : 'record'" /> {{ recording() === 'ON' ? 'Pause rec' : 'Resume rec' }}
          </button>
        }
        <button (click)="store.toggleTranscription()" [class.active]="call()?.transcribing" [disabled]="!call() || store.busy() === 'transcription'" [title]="call()?.transcribing ? 'Stop the live transcription' : 'Start a live transcription'" [attr.aria-pressed]="call()?.transcribing ?? false">
          <cs-icon name="transcript" /> Transcribe
        </button>
        <span class="spacer"></span>
        <button class="danger" (click)="store.hangup()" [disabled]="store.busy() === 'hangup'" data-testid="hangup" title="Hang up (X)">
          <cs-icon name="hangup" /> Hang up <kbd>X</kbd>
        </button>
      </div>

      @if (transferring(); as t) {
        <div class="transfer-state" data-testid="transfer-state">
          <strong>{{ t.mode === 'WARM' ? 'Consulting' : 'Transferring' }}</strong>
          to {{ t.target.agentId ?? t.target.queueId ?? t.target.number }} · {{ t.status.toLowerCase() }}
          <span class="spacer"></span>
          @if (t.mode === 'WARM') {
            <button class="primary small" (click)="store.completeTransfer()" [disabled]="store.busy() === 'transfer'">Complete transfer</button>
          }
          <button class="small" (click)="store.cancelTransfer()" [disabled]="store.busy() === 'transfer'">Cancel</button>
        </div>
      }

      @if (keypadOpen()) {
        <div class="keypad" data-testid="keypad">
          @for (k of keys; track k) {
            <button class="key" (click)="press(k)" [attr.data-testid]="'dtmf-' + k">{{ k }}</button>
          }
          <div class="sent mono">{{ sent() || 'Type digits or click' }}</div>
        </div>
      }

      @if (transferOpen()) {
        <form class="transfer" (ngSubmit)="submitTransfer()" data-testid="transfer-form">
          <div class="row">
            <div class="seg" role="radiogroup" aria-label="Transfer to">
              @for (k of targetKinds; track k.value) {
                <button type="button" [class.active]="targetKind() === k.value" (click)="targetKind.set(k.value)">{{ k.label }}</button>
              }
            </div>
            @switch (targetKind()) {
              @case ('queue') {
                <select name="queue" [(ngModel)]="targetValue" aria-label="Queue" #targetInput>
                  <option value="" disabled>Choose a queue</option>
                  @for (q of store.queues.value() ?? []; track q.id) { <option [value]="q.id">{{ q.name ?? q.id }} ({{ q.waiting }} waiting)</option> }
                </select>
              }
              @case ('agent') { <input name="agent" [(ngModel)]="targetValue" placeholder="Agent id, e.g. bob" aria-label="Agent" #targetInput /> }
              @default { <input name="number" [(ngModel)]="targetValue" placeholder="+15551234567" aria-label="Number" #targetInput /> }
            }
          </div>
          <div class="row">
            <button class="primary" type="submit" (click)="mode.set('BLIND')" [disabled]="!targetValue() || store.busy() === 'transfer'">Blind transfer</button>
            <button type="submit" (click)="mode.set('WARM')" [disabled]="!targetValue() || targetKind() === 'queue' || store.busy() === 'transfer'" title="Talk to the target first; the caller waits on hold">Warm (consult first)</button>
            <button type="button" class="ghost" (click)="transferOpen.set(false)">Cancel</button>
          </div>
        </form>
      }

      <div class="panes">
        <div class="transcript" data-testid="transcript">
          <h3>Live transcript</h3>
          <div class="lines" #lines>
            @for (l of transcript(); track l.at + l.text) {
              <div class="line" [class.agent]="l.track === 'OUTBOUND'">
                <span class="who">{{ l.track === 'OUTBOUND' ? 'Agent' : 'Caller' }}</span>
                <span class="text">{{ l.text }}</span>
                <span class="at muted num">{{ clockText(l.at) }}</span>
              </div>
            } @empty {
              <p class="muted small">{{ call()?.transcribing ? 'Listening…' : 'Transcription is off. Start it with Transcribe.' }}</p>
            }
          </div>
        </div>
        @if (call(); as c) {
          <div class="pop">
            <cs-screen-pop [caller]="c.caller" [attributes]="c.attributes" [ivr]="c.ivr" [previousCalls]="[]" />
          </div>
        }
      </div>
    </section>
  `,
  styles: `
    .call { border-color: #9ec5e6; }
    .head { gap: 12px; padding: 14px; background: var(--info-soft); }
    .avatar { width: 40px; height: 40px; border-radius: 50%; background: var(--info); color: #fff; display: grid; place-items: center; }
    .caption { font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; color: var(--info); }
    .number { font-size: 22px; font-weight: 700; }
    .indicators { display: flex; gap: 6px; }
    .rec .dot { color: var(--danger); }
    .timer { font-size: 26px; font-weight: 700; min-width: 90px; text-align: right; }
    .toolbar { display: flex; gap: 8px; padding: 10px 14px; border-bottom: 1px solid var(--border); flex-wrap: wrap; }
    .transfer-state { display: flex; align-items: center; gap: 8px; padding: 8px 14px; background: var(--brand-soft); border-bottom: 1px solid var(--border); }
    .keypad { display: grid; grid-template-columns: repeat(3, 64px); gap: 6px; padding: 10px 14px; border-bottom: 1px solid var(--border); }
    .key { height: 44px; font-size: 18px; font-family: var(--mono); }
    .sent { grid-column: 1 / -1; color: var(--muted); }
    .transfer { display: flex; flex-direction: column; gap: 8px; padding: 10px 14px; border-bottom: 1px solid var(--border); background: var(--surface-2); }
    .seg { display: inline-flex; }
    .seg button { border-radius: 0; }
    .seg button:first-child { border-radius: 6px 0 0 6px; }
    .seg button:last-child { border-radius: 0 6px 6px 0; }
    .transfer input, .transfer select { min-width: 260px; }
    .panes { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr); }
    .transcript { padding: 12px 14px; border-right: 1px solid var(--border); display: flex; flex-direction: column; gap: 8px; }
    .lines { max-height: 260px; overflow: auto; display: flex; flex-direction: column; gap: 6px; }
    .line { display: grid; grid-template-columns: 54px 1fr auto; gap: 8px; align-items: baseline; }
    .line .who { font-size: 11px; font-weight: 700; color: var(--info); text-transform: uppercase; }
    .line.agent .who { color: var(--violet); }
    .line .at { font-size: 11px; }
    .pop { padding: 12px 14px; }
  `,
})
export class CallPanelComponent {
  protected readonly store = inject(DeskStore);
  private readonly clock = inject(ClockService);
  protected readonly keys = KEYS;
  protected readonly targetKinds: Array<{ value: TransferTarget['kind']; label: string }> = [
    { value: 'queue', label: 'Queue' },
    { value: 'agent', label: 'Agent' },
    { value: 'number', label: 'Number' },
  ];

  readonly keypadOpen = signal(false);
  protected readonly transferOpen = signal(false);
  protected readonly sent = signal('');
  protected readonly targetKind = signal<TransferTarget['kind']>('queue');
  protected readonly targetValue = signal('');
  protected readonly mode = signal<TransferMode>('BLIND');
  private readonly lines = viewChild<ElementRef<HTMLElement>>('lines');
  private readonly targetInput = viewChild<ElementRef<HTMLElement>>('targetInput');

  protected readonly call = this.store.call;
  protected readonly recording = computed(() => this.call()?.recording ?? 'OFF');
  protected readonly held = computed(() => this.call()?.held ?? this.store.phoneCall()?.phase === 'held');
  protected readonly muted = computed(() => this.store.phoneCall()?.muted ?? this.store.agent()?.muted ?? false);
  protected readonly canControl = computed(() => this.store.phoneCall() !== null || this.call() !== null);
  protected readonly transcript = computed(() => this.call()?.transcript ?? []);
  protected readonly transferring = computed(() => this.call()?.transfers.find((t) => t.status === 'REQUESTED' || t.status === 'CONSULTING') ?? null);
  protected readonly supervisors = computed(() => {
    const active = this.call()?.supervision.filter((s) => !s.endedAt) ?? [];
    return active.length ? active.map((s) => `${s.supervisorId} ${s.mode.toLowerCase()}`).join(', ') : null;
  });

  protected readonly caption = computed(() => {
    const c = this.call();
    const pc = this.store.phoneCall();
    if (!c && pc) return pc.phase === 'active' ? 'Outbound call' : 'Calling…';
    if (c?.direction === 'OUTBOUND') return 'Outbound call';
    const q = c?.queueId ? (this.store.queues.value()?.find((x) => x.id === c.queueId)?.name ?? c.queueId) : null;
    return q ? `Inbound · ${q}` : 'Inbound call';
  });
  protected readonly number = computed(() => {
    const c = this.call();
    return c?.callerNumber ?? c?.caller.number ?? this.store.phoneCall()?.remoteNumber ?? 'Unknown';
  });
  protected readonly name = computed(() => this.call()?.caller.contact?.name ?? this.call()?.caller.name ?? null);

  private readonly connectedAt = computed<number | null>(() => {
    const c = this.call();
    const me = this.store.agent()?.id;
    const connection = c?.connections.filter((x) => x.agentId === me && !x.disconnectedAt).at(-1);
    return parseTime(connection?.connectedAt ?? this.store.agent()?.currentCall?.since ?? null);
  });
  protected readonly talkTime = computed(() => {
    const at = this.connectedAt();
    if (at !== null) return formatDuration((this.clock.now() - at) / 1000);
    const pc = this.store.phoneCall();
    return pc?.connectedAt ? formatDuration((this.clock.local() - pc.connectedAt) / 1000) : '0:00';
  });
  protected readonly connectedAtText = computed(() => {
    const at = this.connectedAt();
    return at === null ? '–' : formatClock(new Date(at).toISOString());
  });

  constructor() {
    effect(() => {
      this.transcript();
      const el = this.lines()?.nativeElement;
      if (el) queueMicrotask(() => (el.scrollTop = el.scrollHeight));
    });
    effect(() => {
      if (this.transferOpen()) this.targetInput()?.nativeElement.focus();
    });
  }

  protected clockText = formatClock;

  toggleKeypad(): void {
    this.keypadOpen.update((v) => !v);
  }

  toggleTransfer(): void {
    this.transferOpen.update((v) => !v);
  }

  /** A DTMF key from the keypad or the keyboard (while the keypad is open). */
  press(key: string): void {
    this.store.dtmf(key);
    this.sent.update((s) => (s + key).slice(-24));
  }

  protected async submitTransfer(): Promise<void> {
    const value = this.targetValue().trim();
    if (!value) return;
    const kind = this.targetKind();
    const target: TransferTarget = kind === 'agent' ? { kind, agentId: value } : kind === 'queue' ? { kind, queueId: value } : { kind, number: value };
    if (await this.store.transfer(target, this.mode())) {
      this.transferOpen.set(false);
      this.targetValue.set('');
    }
  }
}
