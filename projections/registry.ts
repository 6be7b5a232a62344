import { agentIdleTimeProjection } from './agent-idle-time/agentIdleTimeProjection';
import { callHistoryProjection } from './call-history/callHistoryProjection';
import { queueProjection } from './queue/queueProjection';
import { reportsProjection } from './reports/reportsProjection';
import type { Projection } from './runner/projection';

/** Every read model callstream maintains. */
export const allProjections: Projection[] = [queueProjection(), agentIdleTimeProjection(), callHistoryProjection(), reportsProjection()];

export const findProjection = (name: string): Projection | undefined => allProjections.find((p) => p.name === name);
