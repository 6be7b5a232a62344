import { evolveAgent, initialAgentState, type AgentEvent, type AgentState } from '../agents/agent';
import { decideAgent, type AgentCommand } from '../agents/agentDecider';
import { decideCall } from '../calls/callDecider';
import type { CallCommand } from '../calls/callCommands';
import type { CallEvent } from '../calls/callEvents';
import { evolveCall, initialCallState, type CallState } from '../calls/callState';
import { callStreamId } from '../calls/webhook';
import type { ContactCenterConfig } from '../config/config';
import type { EventMetadata } from '../infrastructure/eventStore/eventStore';
import type { Decided, DecisionWriter, StreamFold } from './decisionWriter';

export const callFold: StreamFold<CallState, CallEvent> = { evolve: evolveCall, initialState: initialCallState };
export const agentFold: StreamFold<AgentState, AgentEvent> = { evolve: evolveAgent, initialState: initialAgentState };

const metadataOf = (command: { metadata: { actor?: string; correlationId?: string; causationId?: string; requestId?: string; commandId: string } }, correlationId: string): EventMetadata => ({
  correlationId: command.metadata.correlationId ?? correlationId,
  causationId: command.metadata.causationId ?? command.metadata.commandId,
  ...(command.metadata.actor !== undefined ? { actor: command.metadata.actor } : {}),
  ...(command.metadata.requestId !== undefined ? { requestId: command.metadata.requestId } : {}),
});

/** Handles a call command on `call-<callId>` with the call decider and the configuration at decision time. */
export const handleCallCommand = (writer: DecisionWriter, config: () => ContactCenterConfig, callId: string, command: CallCommand): Promise<Decided<CallState, CallEvent>> =>
  writer.handle(callFold, callStreamId(callId), (state) => decideCall(config(), command, state, callId), metadataOf(command, callId));

/** Handles an agent command on `streamId` (`agent-<id>`) with the agent decider. */
export const handleAgentCommand = (writer: DecisionWriter, streamId: string, command: AgentCommand): Promise<Decided<AgentState, AgentEvent>> =>
  writer.handle(agentFold, streamId, (state) => decideAgent(command, state), metadataOf(command, command.metadata.correlationId ?? command.data.agentId));
