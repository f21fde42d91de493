import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AtlasApiError, type AtlasClient, isNotFound } from '../../lambda/atlas/index.ts';
import type { FaultKind, Simulator } from '../../sim/index.ts';
import { startSimulator } from '../../sim/index.ts';
import { clientFor } from './helpers/sim-client.ts';

const WRONG_PATH = /the base URL or path may be wrong/;
const HTML = '<html><head><title>404 Not Found</title></head><body>nginx</body></html>';

/**
 * Issue 11, "Strict not-found": a DELETE counts as already done only when Atlas says, in a documented way, that
 * what it addressed does not exist. Anything else that is a 404 fails loudly.
 */
describe('Class: AtlasClient › strict not-found', () => {
  let sim: Simulator;
  let orgId: string;
  let client: AtlasClient;
  const keys = () => sim.state.apiKeys.filter((key) => key.orgId === orgId && key.id !== sim.workers[0]!.apiKeyId);
  const assigned = () => keys().find((key) => key.roles.some((role) => role.groupId !== undefined))!;
  const groupOf = (key: { roles: readonly { groupId?: string }[] }) => key.roles.find((role) => role.groupId !== undefined)!.groupId!;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { seed: 31, keysPerOrg: 30 } });
    orgId = sim.workers[0]!.orgId;
    client = clientFor(sim, 'digest', 'atlas', { retry: { maxAttempts: 1 } }).client;
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  describe('documented answers are already-absent', () => {
    it('deleteOrgKey: 400 API_KEY_NOT_FOUND (what the simulator answers), and a scripted 404 API_KEY_NOT_FOUND or RESOURCE_NOT_FOUND', async () => {
      // Prepare
      const key = keys()[0]!;
      await client.deleteOrgKey(orgId, key.id);
      const path = `/orgs/${orgId}/apiKeys/${key.id}`;

      // Act
      const native = await client.deleteOrgKey(orgId, key.id);
      sim.addFault({ method: 'DELETE', path, times: 1, fault: { kind: 'status', status: 404, errorCode: 'API_KEY_NOT_FOUND', parameters: [key.id] } });
      const scripted = await client.deleteOrgKey(orgId, key.id);
      sim.addFault({ method: 'DELETE', path, times: 1, fault: { kind: 'status', status: 404, errorCode: 'RESOURCE_NOT_FOUND', parameters: null } });
      const resource = await client.deleteOrgKey(orgId, key.id);

      // Assess
      expect([native, scripted, resource]).toEqual(['already-absent', 'already-absent', 'already-absent']);
    });

    it('removeKeyFromProject: 404 RESOURCE_NOT_FOUND (not assigned) and 404 GROUP_NOT_FOUND (no such project)', async () => {
      // Prepare
      const key = assigned();
      const groupId = groupOf(key);
      await client.removeKeyFromProject(groupId, key.id);

      // Act
      const notAssigned = await client.removeKeyFromProject(groupId, key.id);
      const noProject = await client.removeKeyFromProject('eeeeeeeeeeeeeeeeeeeeee01', key.id);

      // Assess
      expect([notAssigned, noProject]).toEqual(['already-absent', 'already-absent']);
    });

    it.each(['API_KEY_WHITELIST_NOT_FOUND', 'API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND', 'RESOURCE_NOT_FOUND'])(
      'deleteAccessListEntry: 404 %s',
      async (errorCode) => {
        // Prepare
        const key = keys()[1]!;
        const fault: FaultKind = { kind: 'status', status: 404, errorCode, parameters: ['192.0.2.44', key.id] };
        if (errorCode !== 'API_KEY_WHITELIST_NOT_FOUND') sim.addFault({ method: 'DELETE', path: '/accessList/', times: 1, fault });

        // Act (without a fault, the simulator itself answers API_KEY_WHITELIST_NOT_FOUND)
        const outcome = await client.deleteAccessListEntry(orgId, key.id, '192.0.2.44');

        // Assess
        expect(outcome).toBe('already-absent');
      },
    );
  });

  describe('any other 404 fails, saying the base URL or path may be wrong', () => {
    const cases: [string, FaultKind][] = [
      ['404 UNEXPECTED_ERROR', { kind: 'status', status: 404, errorCode: 'UNEXPECTED_ERROR' }],
      ['404 with a proxy HTML page', { kind: 'status', status: 404, body: HTML }],
      ['404 with no body', { kind: 'status', status: 404, body: '' }],
      ['404 with JSON that is not an Atlas error', { kind: 'status', status: 404, body: '{"message":"Not Found"}', contentType: 'application/json' }],
    ];

    it.each(cases)('deleteOrgKey: %s, and the key stays', async (_, fault) => {
      // Prepare
      const key = keys()[2]!;
      sim.addFault({ method: 'DELETE', path: `/apiKeys/${key.id}`, times: 1, fault });

      // Act
      const error = await client.deleteOrgKey(orgId, key.id).catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(AtlasApiError);
      expect(error).toMatchObject({ kind: 'http', status: 404 });
      expect((error as Error).message).toMatch(WRONG_PATH);
      if (fault.kind === 'status' && fault.body !== undefined) expect((error as Error).message).toContain('404 (no Atlas error body)');
      expect(isNotFound(error)).toBe(false);
      expect(sim.state.apiKeys).toContain(key);
    });

    it.each(cases)('removeKeyFromProject: %s', async (_, fault) => {
      // Prepare
      const key = assigned();
      sim.addFault({ method: 'DELETE', path: `/apiKeys/${key.id}`, times: 1, fault });

      // Act
      const error = await client.removeKeyFromProject(groupOf(key), key.id).catch((thrown: unknown) => thrown);

      // Assess
      expect((error as Error).message).toMatch(WRONG_PATH);
      expect(key.roles.some((role) => role.groupId !== undefined)).toBe(true);
    });

    it.each(cases)('deleteAccessListEntry: %s', async (_, fault) => {
      // Prepare
      const key = keys().find((candidate) => candidate.accessList.length > 0)!;
      const entry = key.accessList[0]!;
      sim.addFault({ method: 'DELETE', path: '/accessList/', times: 1, fault });

      // Act
      const error = await client.deleteAccessListEntry(orgId, key.id, entry.cidrBlock).catch((thrown: unknown) => thrown);

      // Assess
      expect((error as Error).message).toMatch(WRONG_PATH);
      expect(key.accessList).toContain(entry);
    });

    it('a documented code for something else fails too: GROUP_NOT_FOUND on an org-key or access-list delete', async () => {
      // Prepare
      const key = keys()[3]!;
      sim.addFault({ method: 'DELETE', path: `/apiKeys/${key.id}`, times: 2, fault: { kind: 'status', status: 404, errorCode: 'GROUP_NOT_FOUND' } });

      // Act
      const orgKey = await client.deleteOrgKey(orgId, key.id).catch((thrown: unknown) => thrown);
      const entry = await client.deleteAccessListEntry(orgId, key.id, '192.0.2.1').catch((thrown: unknown) => thrown);

      // Assess
      expect((orgKey as Error).message).toMatch(WRONG_PATH);
      expect((entry as Error).message).toMatch(WRONG_PATH);
      expect(sim.state.apiKeys).toContain(key);
    });
  });

  describe('Function: isNotFound', () => {
    it('tells the documented codes apart by what was addressed, and only for Atlas error bodies', () => {
      // Prepare
      const error = (status: number, errorCode?: string) =>
        new AtlasApiError('x', { method: 'DELETE', path: '/x', status, ...(errorCode === undefined ? {} : { errorCode }) });

      // Assess
      expect(isNotFound(error(404, 'API_KEY_NOT_FOUND'))).toBe(true);
      expect(isNotFound(error(400, 'API_KEY_NOT_FOUND'))).toBe(true);
      expect(isNotFound(error(404, 'GROUP_NOT_FOUND'))).toBe(false);
      expect(isNotFound(error(404, 'GROUP_NOT_FOUND'), 'project-assignment')).toBe(true);
      expect(isNotFound(error(404, 'GROUP_NOT_FOUND'), 'project')).toBe(true);
      expect(isNotFound(error(404, 'API_KEY_WHITELIST_NOT_FOUND'), 'access-list-entry')).toBe(true);
      expect(isNotFound(error(404, 'API_KEY_WHITELIST_NOT_FOUND'))).toBe(false);
      expect(isNotFound(error(404, 'UNEXPECTED_ERROR'))).toBe(false);
      expect(isNotFound(error(404))).toBe(false);
      expect(isNotFound(error(400, 'RESOURCE_NOT_FOUND'))).toBe(false);
      expect(isNotFound(new Error('404'))).toBe(false);
      expect(isNotFound(new AtlasApiError('x', { method: 'GET', path: '/x', status: 404, errorCode: 'RESOURCE_NOT_FOUND' }, 'network'))).toBe(false);
    });
  });
});
