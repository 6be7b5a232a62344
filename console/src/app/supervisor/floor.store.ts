import { Injectable, computed, effect, inject, signal } from '@angular/core';
import { map } from 'rxjs';
import { Api } from '../core/authed-api.service';
import { ClockService } from '../core/clock.service';
import { live } from '../core/live';
import { NotifyService } from '../core/notify.service';
import { SessionStore } from '../core/session-store';
import { CALL_LIVE, END_SUPERVISION, LOGOUT_AGENT, SET_AGENT_STATUS, SUPERVISE_CALL, SWITCH_SUPERVISOR_ROLE, WALLBOARD, WALLBOARD_CHANGED } from '../graphql/documents';
import type { Agent, AgentStatus, LiveCall, SupervisorRole, Wallboard } from '../graphql/types';
import { SoftphoneService } from '../softphone/softphone.service';

export interface LiveCallRow {
  callId: string;
  agent: Agent;
  since: string;
  queueId: string | null;
  held: boolean;
  direction: string;
  call: LiveCall | null;
}

/** The supervisor's floor: the wallboard kept live, the calls in progress, and the supervisor's actions. */
@Injectable()
export class FloorStore {
  private readonly api = inject(Api);
  private readonly notify = inject(NotifyService);
  private readonly clock = inject(ClockService);
  private readonly session = inject(SessionStore);
  readonly phone = inject(SoftphoneService);

  readonly wallboard = live<Wallboard>({
    load: () => this.api.query(WALLBOARD).then((r) => r.wallboard),
    stream: () => this.api.live(WALLBOARD_CHANGED).pipe(map((r) => r.wallboardChanged)),
  });

  readonly busy = signal<string | null>(null);
  /** Call documents of the calls in progress, read once each (caller, queue, recording, supervision). */
  private readonly calls = signal<ReadonlyMap<string, LiveCall>>(new Map());
  private readonly requested = new Set<string>();

  readonly me = computed(() => this.session.me()?.agentId ?? null);
  readonly queueNames = computed(() => new Map((this.wallboard.value()?.queues ?? []).map((q) => [q.id, q.name ?? q.id])));

  readonly liveCalls = computed<LiveCallRow[]>(() => {
    const calls = this.calls();
    return (this.wallboard.value()?.agents ?? [])
      .filter((a) => a.currentCall !== null)
      .map((a) => ({
        callId: a.currentCall!.callId,
        agent: a,
        since: a.currentCall!.since,
        queueId: a.currentCall!.queueId,
        held: a.currentCall!.held,
        direction: a.currentCall!.direction,
        call: calls.get(a.currentCall!.callId) ?? null,
      }))
      .sort((a, b) => a.since.localeCompare(b.since));
  });

  constructor() {
    effect(() => {
      const board = this.wallboard.value();
      this.clock.observe(board?.asOf);
      for (const agent of board?.agents ?? []) {
        const callId = agent.currentCall?.callId;
        if (callId && !this.requested.has(callId)) {
          this.requested.add(callId);
          void this.fetchCall(callId);
        }
      }
    });
  }

  /** Reads a call again (after an action or when its supervision changes). */
  async fetchCall(callId: string): Promise<void> {
    try {
      const { call } = await this.api.query(CALL_LIVE, { id: callId });
      if (call) this.calls.update((m) => new Map(m).set(callId, call));
    } catch {
      this.requested.delete(callId);
    }
  }

  /** A pushed call document (from the open call panel). */
  setCall(call: LiveCall): void {
    this.calls.update((m) => new Map(m).set(call.id, call));
  }

  mySupervision(call: LiveCall | null): { mode: string } | null {
    const me = this.me();
    return call?.supervision.find((s) => s.supervisorId === me && !s.endedAt) ?? null;
  }

  private async run<T>(name: string, action: () => Promise<T>, failure: string): Promise<T | undefined> {
    if (this.busy()) return undefined;
    this.busy.set(name);
    try {
      return await action();
    } catch (error) {
      this.notify.error(error, failure);
      return undefined;
    } finally {
      this.busy.set(null);
    }
  }

  async supervise(callId: string, role: SupervisorRole, current: LiveCall | null): Promise<void> {
    if (this.phone.registration() !== 'registered') {
      this.notify.error(new Error('Your softphone is not registered: the call cannot reach you.'));
      return;
    }
    const existing = this.mySupervision(current);
    this.phone.autoAnswer(callId);
    const result = existing
      ? await this.run(`supervise:${callId}`, async () => (await this.api.mutate(SWITCH_SUPERVISOR_ROLE, { callId, role })).switchSupervisorRole, 'Could not switch role')
      : await this.run(`supervise:${callId}`, async () => (await this.api.mutate(SUPERVISE_CALL, { callId, role })).superviseCall, `Could not ${role.toLowerCase()}`);
    if (result?.call) this.setCall(result.call);
    if (result) this.notify.info(existing ? `Now ${role.toLowerCase()}ing.` : `Dialling you in to ${role.toLowerCase()}; your softphone answers on its own.`);
  }

  async endSupervision(callId: string): Promise<void> {
    const result = await this.run(`supervise:${callId}`, async () => (await this.api.mutate(END_SUPERVISION, { callId })).endSupervision, 'Could not leave the call');
    if (result?.call) this.setCall(result.call);
  }

  async setStatus(agentId: string, status: AgentStatus, reason: string | null): Promise<void> {
    const result = await this.run(`agent:${agentId}`, () => this.api.mutate(SET_AGENT_STATUS, { agentId, status, reason }), `Could not change ${agentId}'s status`);
    if (result) this.notify.success(`${agentId} is now ${status === 'BREAK' ? `on break (${reason})` : status.toLowerCase()}.`);
  }

  async logout(agentId: string): Promise<void> {
    const result = await this.run(`agent:${agentId}`, () => this.api.mutate(LOGOUT_AGENT, { agentId, reason: 'logged out by a supervisor' }), `Could not log ${agentId} out`);
    if (result) this.notify.success(`${agentId} has been logged out.`);
  }
}
