import { MongoNetworkError, MongoServerError } from 'mongodb';
import { UnavailableError, ValidationError } from '../../../../api/core/errors';
import { keysetFilter, mapMongoError, mongoFilter } from './mongoReadModelStore';

describe('MongoDB read-model query translation', () => {
  it('passes our MongoDB-shaped filter through, one clause per condition', () => {
    expect(mongoFilter({})).toEqual({});
    expect(mongoFilter({ status: 'queued' })).toEqual({ status: 'queued' });
    expect(mongoFilter({ 'caller.number': '+1555', priority: { $gte: 2, $lt: 5 }, agent: null, tag: { $in: ['a', null] }, vip: { $ne: true } })).toEqual({
      $and: [
        { 'caller.number': '+1555' },
        { priority: { $gte: 2 } },
        { priority: { $lt: 5 } },
        { agent: null },
        { tag: { $in: ['a', null] } },
        { vip: { $ne: true } },
      ],
    });
  });

  it('refuses operators outside the port', () => {
    expect(() => mongoFilter({ status: { $where: 'x' } as never })).toThrow(ValidationError);
    expect(() => mongoFilter({ $or: 'x' } as never)).toThrow(ValidationError);
  });

  it('builds the keyset condition in sort order, with null first ascending and last descending', () => {
    const keys = [
      { field: 'priority', direction: 'desc' as const },
      { field: 'agent', direction: 'asc' as const },
      { field: '_id', direction: 'asc' as const },
    ];
    expect(keysetFilter(keys, [3, null, 'c1'])).toEqual({
      $or: [
        { $or: [{ priority: { $lt: 3 } }, { priority: null }] },
        { $and: [{ priority: 3 }, { agent: { $ne: null } }] },
        { $and: [{ priority: 3 }, { agent: null }, { _id: { $gt: 'c1' } }] },
      ],
    });
    // After a null on a descending key only ties on it can follow.
    expect(keysetFilter([{ field: 'agent', direction: 'desc' }, keys[2]], [null, 'c1'])).toEqual({ $or: [{ $and: [{ agent: null }, { _id: { $gt: 'c1' } }] }] });
  });

  it('maps driver errors to ours', () => {
    expect(mapMongoError(new MongoNetworkError('connection reset'), 'reading')).toBeInstanceOf(UnavailableError);
    expect(mapMongoError(new MongoServerError({ message: 'not primary', code: 10107 }), 'writing')).toBeInstanceOf(UnavailableError);
    expect(mapMongoError(new MongoServerError({ message: 'E11000 duplicate key', code: 11000 }), 'writing')).toBeInstanceOf(ValidationError);
    const other = new MongoServerError({ message: 'bad value', code: 2 });
    expect(mapMongoError(other, 'writing')).toBe(other);
  });
});
