import { agentView } from '../../../projections/agent-idle-time/queries';
import type { AgentView } from '../../../projections/agent-idle-time/agentView';
import { callById } from '../../../projections/call-history/queries';
import type { CallHistoryDoc } from '../../../projections/call-history/callHistoryView';
import { waitingCall } from '../../../projections/queue/queries';
import { hasRole, requireUser } from '../../auth/guards';
import type { AuthenticatedUser } from '../../auth/authService';
import { ForbiddenError, NotFoundError } from '../../core/errors';
import type { GraphQLContext } from '../../graphql/context';

const FORBIDDEN_CALL = 'You may see and act only on your own calls and offers';

/** Agents have a call when they are or were connected to it, or it was offered to them. */
export const agentHasCall = (doc: CallHistoryDoc, agentId: string): boolean =>
  doc.agentIds.includes(agentId) || doc.agentsOffered.includes(agentId) || doc.connections.some((c) => c.agentId === agentId);

/** Supervisors, admins and analysts see every call; an agent only its own (FORBIDDEN otherwise, also for a call that does not exist). */
export const assertCanSeeCall = (ctx: GraphQLContext, doc: CallHistoryDoc | null, callId: string): CallHistoryDoc => {
  const user = requireUser(ctx);
  if (hasRole(user, 'supervisor', 'admin', 'analyst')) {
    if (!doc) throw new NotFoundError(`Call ${callId} not found`);
    return doc;
  }
  if (!doc || !user.agentId || !agentHasCall(doc, user.agentId)) throw new ForbiddenError(FORBIDDEN_CALL);
  return doc;
};

/** The call the agent's own view says it is on, in wrap-up for, or being offered. */
const onItNow = (view: AgentView | null, doc: CallHistoryDoc | null, agentId: string, callId: string): boolean =>
  view?.currentCall?.callId === callId ||
  view?.wrapUp?.callId === callId ||
  view?.offer?.callId === callId ||
  (doc?.connections.some((c) => c.agentId === agentId && c.disconnectedAt === null) ?? false);

/** The agent connected to the call now (the latest connection still open), for a supervisor acting on it. */
export const connectedAgentOf = (doc: CallHistoryDoc | null): string | undefined => {
  const open = doc?.connections.filter((c) => c.disconnectedAt === null) ?? [];
  return open.length > 0 ? open[open.length - 1].agentId : (doc?.agentId ?? undefined);
};

export interface CallActor {
  user: AuthenticatedUser;
  /** The agent the action is for: the caller's own agent, or for a supervisor the agent on the call. */
  agentId: string | undefined;
  doc: CallHistoryDoc | null;
}

/**
 * Who may act on a call: an agent only on a call it is on now (or wrapping up, or being offered),
 * checked against the agent and call read models; supervisors and admins on any call.
 */
export const assertCanActOnCall = async (ctx: GraphQLContext, callId: string): Promise<CallActor> => {
  const user = requireUser(ctx);
  const { readModels } = ctx.services;
  if (hasRole(user, 'supervisor', 'admin')) {
    const doc = await callById(readModels, callId);
    return { user, agentId: connectedAgentOf(doc), doc };
  }
  const agentId = user.agentId;
  if (!agentId) throw new ForbiddenError('This user is not linked to an agent');
  const [view, doc] = await Promise.all([agentView(readModels, agentId), callById(readModels, callId)]);
  if (!onItNow(view, doc, agentId, callId)) throw new ForbiddenError(FORBIDDEN_CALL);
  return { user, agentId, doc };
};

/** A call waiting in a queue is anyone's to pick or to turn into a callback; any other call follows assertCanActOnCall. */
export const assertCanActOnQueuedCall = async (ctx: GraphQLContext, callId: string): Promise<CallActor> => {
  const user = requireUser(ctx);
  if (!hasRole(user, 'supervisor', 'admin') && (await waitingCall(ctx.services.readModels, callId))) {
    return { user, agentId: user.agentId, doc: await callById(ctx.services.readModels, callId) };
  }
  return assertCanActOnCall(ctx, callId);
};
