import { createHash } from 'node:crypto';

/** The data of the event at `revision` of `streamId`: deterministic, so a reader can tell it is intact. */
export const payloadFor = (streamId: string, revision: bigint): { streamId: string; revision: string; body: string } => {
  const seed = createHash('sha256').update(`${streamId}:${revision}`).digest('hex');
  return { streamId, revision: revision.toString(), body: seed.repeat(8) };
};

/** One line per acknowledged event: `<event id> <stream id> <revision> <position>`. */
export const ackLine = (id: string, streamId: string, revision: bigint, position: bigint): string => `${id} ${streamId} ${revision} ${position}\n`;
