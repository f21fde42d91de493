import { describe, expect, it } from 'vitest';
import { checkTags, tagsFromContext } from '../../infra/worker-tags.ts';

describe('tagsFromContext', () => {
  it('reads k=v pairs, trimming, keeping = inside values', () => {
    expect(tagsFromContext(' team=secops , owner=a=b ,')).toEqual({ team: 'secops', owner: 'a=b' });
  });

  it('reads an object from cdk.json, and nothing from nothing', () => {
    expect(tagsFromContext({ team: 'secops' })).toEqual({ team: 'secops' });
    expect(tagsFromContext(undefined)).toEqual({});
    expect(tagsFromContext('')).toEqual({});
  });

  it('fails on a pair without a key, a repeated key, or another type', () => {
    expect(() => tagsFromContext('=x')).toThrow('context "tags" must be key=value pairs separated by commas (given "=x")');
    expect(() => tagsFromContext('a=1,a=2')).toThrow('context "tags" gives tag a twice');
    expect(() => tagsFromContext(['a=1'])).toThrow('context "tags" must be key=value pairs separated by commas (given ["a=1"])');
  });
});

describe('checkTags', () => {
  it('accepts AWS tag characters', () => {
    expect(() => checkTags('tags', { 'cost-center': '42', 'team:name': 'Sec Ops @ HQ/1+2=3' })).not.toThrow();
  });

  it('fails on aws: keys, bad characters, and overriding app', () => {
    expect(() => checkTags('tags', { 'aws:x': '1' })).toThrow(/tags: tag key "aws:x" must be 1 to 128/);
    expect(() => checkTags('tags', { team: 'a;b' })).toThrow('tags: tag team must have a value of at most 256');
    expect(() => checkTags('tags', { app: 'other' })).toThrow("tags: tag app is the worker's own (atlas-key-worker)");
  });
});
