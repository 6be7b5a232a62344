/**
 * Estimated wait time and the Erlang C (M/M/c) formulas of contact-center.md §3. Rates are per second,
 * times in seconds; `traffic` A = λ·h in Erlangs; `agents` N must exceed A for the queue to be stable.
 */

/** About position · AHT / agents serving: each departure moves the line by one, departures come at N/h. */
export const estimatedWaitSeconds = ({ position, ahtSeconds, agentsServing }: { position: number; ahtSeconds: number; agentsServing: number }): number =>
  Math.round((Math.max(0, position) * Math.max(0, ahtSeconds)) / Math.max(1, agentsServing));

export const trafficErlangs = (arrivalRatePerSecond: number, ahtSeconds: number): number => arrivalRatePerSecond * ahtSeconds;

/** Erlang B blocking probability, by the stable recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)). */
export const erlangB = (traffic: number, agents: number): number => {
  let b = 1;
  for (let n = 1; n <= agents; n++) b = (traffic * b) / (n + traffic * b);
  return b;
};

/**
 * Erlang C: the probability that a call waits, P(wait) = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)),
 * computed as N·B / (N − A·(1 − B)) from Erlang B so large N does not overflow. 1 when N ≤ A (the queue grows).
 */
export const erlangC = (traffic: number, agents: number): number => {
  if (agents <= traffic) return 1;
  const b = erlangB(traffic, agents);
  return (agents * b) / (agents - traffic * (1 - b));
};

/** ASA = P(wait) · h / (N − A). */
export const averageSpeedOfAnswer = (arrivalRatePerSecond: number, ahtSeconds: number, agents: number): number => {
  const traffic = trafficErlangs(arrivalRatePerSecond, ahtSeconds);
  if (agents <= traffic) return Number.POSITIVE_INFINITY;
  return (erlangC(traffic, agents) * ahtSeconds) / (agents - traffic);
};

/** SL(T) = 1 − P(wait) · e^{−(N−A)·T/h}: the share of calls answered within T seconds. */
export const serviceLevel = (arrivalRatePerSecond: number, ahtSeconds: number, agents: number, thresholdSeconds: number): number => {
  const traffic = trafficErlangs(arrivalRatePerSecond, ahtSeconds);
  if (agents <= traffic) return 0;
  return 1 - erlangC(traffic, agents) * Math.exp((-(agents - traffic) * thresholdSeconds) / ahtSeconds);
};

/** Occupancy = A / N. */
export const occupancy = (arrivalRatePerSecond: number, ahtSeconds: number, agents: number): number => Math.min(1, trafficErlangs(arrivalRatePerSecond, ahtSeconds) / agents);

/** The fewest agents that reach `target` service level within `thresholdSeconds`. */
export const agentsForServiceLevel = (arrivalRatePerSecond: number, ahtSeconds: number, target: number, thresholdSeconds: number): number => {
  const traffic = trafficErlangs(arrivalRatePerSecond, ahtSeconds);
  let agents = Math.max(1, Math.floor(traffic) + 1);
  while (serviceLevel(arrivalRatePerSecond, ahtSeconds, agents, thresholdSeconds) < target) agents++;
  return agents;
};
