import type { Projection } from './runner/projection';

/** Every read model callstream maintains. */
export const allProjections: Projection[] = [];

export const findProjection = (name: string): Projection | undefined => allProjections.find((p) => p.name === name);
