import { agentsForServiceLevel, averageSpeedOfAnswer, erlangB, erlangC, estimatedWaitSeconds, occupancy, serviceLevel } from './ewt';

// Hand-computed from contact-center.md §3.
// A = 2 Erlangs (λ = 2/180 per s, h = 180 s), N = 3:
//   Σ_{k<3} A^k/k! = 1 + 2 + 2 = 5;  A^3/3! · 3/(3−2) = 8/6 · 3 = 4;  P(wait) = 4 / (5 + 4) = 4/9
//   ASA = 4/9 · 180 / (3 − 2) = 80 s;  SL(20) = 1 − 4/9 · e^(−20/180) = 0.602294…;  occupancy = 2/3
// A = 2, N = 4: Σ_{k<4} = 1 + 2 + 2 + 4/3 = 19/3;  A^4/4! · 4/2 = 4/3;  P(wait) = (4/3) / (19/3 + 4/3) = 4/23
//   SL(20) = 1 − 4/23 · e^(−2·20/180) = 0.860742…
// A = 1 (λ = 1/60, h = 60), N = 2: Σ_{k<2} = 2;  A^2/2! · 2/1 = 1;  P(wait) = 1/3;  ASA = 1/3 · 60 / 1 = 20 s
const lambda = 2 / 180;

describe('Erlang C', () => {
  it('gives the probability of waiting', () => {
    expect(erlangC(2, 3)).toBeCloseTo(4 / 9, 12);
    expect(erlangC(2, 4)).toBeCloseTo(4 / 23, 12);
    expect(erlangC(1, 2)).toBeCloseTo(1 / 3, 12);
  });

  it('is 1 when the agents cannot keep up (N <= A)', () => {
    expect(erlangC(3, 3)).toBe(1);
    expect(erlangC(5, 3)).toBe(1);
  });

  it('stays finite and between 0 and 1 for large centres', () => {
    const p = erlangC(400, 420);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
  });

  it('derives from Erlang B: B(2, 3) = (8/6) / (1 + 2 + 2 + 8/6) = 4/19', () => {
    expect(erlangB(2, 3)).toBeCloseTo(4 / 19, 12);
  });

  it('gives the average speed of answer', () => {
    expect(averageSpeedOfAnswer(lambda, 180, 3)).toBeCloseTo(80, 9);
    expect(averageSpeedOfAnswer(1 / 60, 60, 2)).toBeCloseTo(20, 9);
    expect(averageSpeedOfAnswer(lambda, 180, 2)).toBe(Number.POSITIVE_INFINITY);
  });

  it('gives the service level within a threshold', () => {
    expect(serviceLevel(lambda, 180, 3, 20)).toBeCloseTo(1 - (4 / 9) * Math.exp(-20 / 180), 12);
    expect(serviceLevel(lambda, 180, 3, 20)).toBeCloseTo(0.602294, 5);
    expect(serviceLevel(lambda, 180, 4, 20)).toBeCloseTo(0.860742, 5);
  });

  it('gives occupancy and the staffing for a target service level', () => {
    expect(occupancy(lambda, 180, 3)).toBeCloseTo(2 / 3, 12);
    expect(agentsForServiceLevel(lambda, 180, 0.8, 20)).toBe(4);
    expect(agentsForServiceLevel(lambda, 180, 0.5, 20)).toBe(3);
  });
});

describe('estimated wait time', () => {
  it('is position × AHT / agents serving', () => {
    expect(estimatedWaitSeconds({ position: 3, ahtSeconds: 240, agentsServing: 4 })).toBe(180);
    expect(estimatedWaitSeconds({ position: 1, ahtSeconds: 300, agentsServing: 0 })).toBe(300);
    expect(estimatedWaitSeconds({ position: 0, ahtSeconds: 300, agentsServing: 2 })).toBe(0);
  });
});
