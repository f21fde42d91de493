import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_NAMES, type CheckReport, type CheckResult, runCheck } from '../../lambda/check/index.ts';
import { InputValidationError } from '../../lambda/validation/errors.ts';
import { type CheckFixture, LOGIN_PAGE, NGINX_404, NOW, startCheckFixture, startStaticServer, type StaticServer } from './fixture.ts';

const ALL_ORG_CHECKS = [
  CHECK_NAMES.baseUrl,
  CHECK_NAMES.api,
  CHECK_NAMES.credentials,
  CHECK_NAMES.org,
  CHECK_NAMES.roleDelete,
  CHECK_NAMES.roleUnassign,
  CHECK_NAMES.accessList,
  CHECK_NAMES.protectedEntries,
];

function find(report: CheckReport, name: string, orgId?: string): CheckResult {
  const found = report.checks.find((check) => check.name === name && (orgId === undefined || check.orgId === orgId));
  if (found === undefined) throw new Error(`no ${name} check in ${JSON.stringify(report.checks.map((c) => c.name))}`);
  return found;
}

const failed = (report: CheckReport) => report.checks.filter((check) => check.status === 'fail').map((check) => check.name);

describe('Function: runCheck', () => {
  let fixture: CheckFixture;
  let server: StaticServer | undefined;
  afterEach(async () => {
    await fixture?.close();
    await server?.close();
    server = undefined;
  });

  describe('a healthy simulator', () => {
    it('passes every check with an Org Owner API key, reading only', async () => {
      // Prepare
      fixture = await startCheckFixture();
      const deps = fixture.deps({ policy: { protectedEntries: ['127.0.0.1'] } });

      // Act
      const report = await runCheck(deps);

      // Assess
      expect(report.ok).toBe(true);
      expect(report.checks.filter((c) => c.orgId === fixture.worker.orgId).map((c) => c.name)).toEqual(ALL_ORG_CHECKS);
      expect(report.checks.map((c) => c.status)).toEqual(report.checks.map(() => 'pass'));
      expect(report.counts).toEqual({ pass: ALL_ORG_CHECKS.length + 1, fail: 0, warn: 0 });
      expect(report.checkedAt).toBe(NOW.toISOString());
      expect(find(report, CHECK_NAMES.api).detail).toContain('Accept application/vnd.atlas.2023-01-01+json accepted');
      expect(find(report, CHECK_NAMES.accessList).detail).toContain("this check's address 127.0.0.1 is on");
      expect(find(report, CHECK_NAMES.state).detail).toContain('in-memory');
      expect(fixture.writes()).toEqual([]);
    });

    it('passes with an Org Owner service account, reading its roles', async () => {
      fixture = await startCheckFixture();

      const report = await runCheck(fixture.deps({ auth: 'oauth' }));

      expect(report.ok).toBe(true);
      expect(find(report, CHECK_NAMES.credentials).detail).toContain('OAuth');
      expect(find(report, CHECK_NAMES.roleDelete)).toMatchObject({ status: 'pass', detail: expect.stringContaining('is Organization Owner') });
      expect(find(report, CHECK_NAMES.accessList).status).toBe('pass');
      expect(fixture.sim.requests.some((r) => r.auth === 'bearer')).toBe(true);
      expect(fixture.writes()).toEqual([]);
      for (const secret of [fixture.worker.clientSecret, ...fixture.sim.issuedTokens]) expect(JSON.stringify(report)).not.toContain(secret);
    });

    it("warns, not fails, when the client cannot read a service account's roles", async () => {
      fixture = await startCheckFixture();
      const deps = fixture.deps({ auth: 'oauth' });
      const withoutRoles = { ...deps, createClient: (target: Parameters<typeof deps.createClient>[0]) => {
        const { getServiceAccount: _unused, ...client } = deps.createClient(target);
        return client;
      } };

      const report = await runCheck(withoutRoles);

      expect(report.ok).toBe(true);
      expect(find(report, CHECK_NAMES.roleDelete)).toMatchObject({ status: 'warn', fix: expect.stringContaining('Organization Owner') });
    });

    it('passes for an Ops Manager org (v1.0 paths, application/json)', async () => {
      fixture = await startCheckFixture();

      const report = await runCheck(fixture.deps({ flavor: 'ops-manager', policy: { protectedEntries: ['127.0.0.0/8'] } }));

      expect(failed(report)).toEqual([]);
      expect(find(report, CHECK_NAMES.api).detail).toContain('/api/public/v1.0');
      expect(fixture.sim.requests.every((r) => r.url.startsWith('/api/public/v1.0/'))).toBe(true);
    });

    it('checks every org with its own credentials', async () => {
      fixture = await startCheckFixture({ orgs: 2 });
      const [first, second] = fixture.sim.workers;
      const byOrg = new Map([first!, second!].map((w) => [w.orgId, w]));

      const report = await runCheck(
        fixture.deps({
          policy: { orgs: [{ orgId: first!.orgId }, { orgId: second!.orgId }], protectedEntries: ['127.0.0.1'] },
          credentialsFor: async (org) => {
            const w = byOrg.get(org.orgId)!;
            return { credentials: { kind: 'digest', publicKey: w.publicKey, privateKey: w.privateKey }, baseUrl: fixture.sim.baseUrl, flavor: 'atlas', source: `secret:${org.orgId}` };
          },
        }),
      );

      expect(report.ok).toBe(true);
      for (const w of [first!, second!]) expect(find(report, CHECK_NAMES.roleDelete, w.orgId).detail).toContain(w.publicKey);
    });
  });

  describe('wrong key', () => {
    it('fails the credentials with "wrong key or secret" and the fix, after the API check passed', async () => {
      fixture = await startCheckFixture();

      const report = await runCheck(fixture.deps({ secret: 'not-the-private-key' }));

      expect(report.ok).toBe(false);
      expect(failed(report)).toEqual([CHECK_NAMES.credentials]);
      expect(find(report, CHECK_NAMES.api).status).toBe('pass');
      const credentials = find(report, CHECK_NAMES.credentials);
      expect(credentials.detail).toMatch(/^wrong key or secret: API key \w+ was refused \(401/);
      expect(credentials.fix).toContain(`Put the current private key of public key ${fixture.worker.publicKey} in secret atlas-key-worker/credentials`);
      // Nothing is checked with credentials that do not work.
      expect(report.checks.map((c) => c.name)).not.toContain(CHECK_NAMES.roleDelete);
      expect(JSON.stringify(report)).not.toContain('not-the-private-key');
    });

    it('fails a service account whose secret is wrong the same way', async () => {
      fixture = await startCheckFixture();

      const report = await runCheck(fixture.deps({ auth: 'oauth', secret: 'mdb_sa_sk_wrong' }));

      expect(failed(report)).toEqual([CHECK_NAMES.credentials]);
      expect(find(report, CHECK_NAMES.credentials).detail).toMatch(/^wrong key or secret: service account mdb_sa_id_\w+ was refused \(401 invalid_client\)/);
      expect(find(report, CHECK_NAMES.credentials).fix).toContain('client secret');
    });

    it('fails the credentials with the fix when they cannot be read at all', async () => {
      fixture = await startCheckFixture();
      const deps = fixture.deps({
        credentialsFor: async () => {
          throw new InputValidationError('secret:atlas-key-worker/credentials', 'secret must be JSON {publicKey, privateKey} or {clientId, clientSecret}');
        },
      });

      const report = await runCheck(deps);

      expect(report.checks.filter((c) => c.orgId !== undefined)).toEqual([
        expect.objectContaining({ name: CHECK_NAMES.credentials, status: 'fail', fix: expect.stringContaining('{"publicKey","privateKey"}') }),
      ]);
      expect(fixture.sim.requests).toEqual([]);
    });
  });

  describe('missing role', () => {
    it('fails both role checks for an Organization Member key, naming the role to grant', async () => {
      fixture = await startCheckFixture({ projectsPerOrg: 3 });
      fixture.ownKey.roles = [{ orgId: fixture.worker.orgId, roleName: 'ORG_MEMBER' }];

      const report = await runCheck(fixture.deps());

      expect(failed(report)).toEqual([CHECK_NAMES.roleDelete, CHECK_NAMES.roleUnassign]);
      const remove = find(report, CHECK_NAMES.roleDelete);
      expect(remove.detail).toMatch(/^missing role: API key \w+ is not Organization Owner of org \w+ \(it has ORG_MEMBER\)/);
      expect(remove.fix).toContain(`Give API key ${fixture.worker.publicKey} the Organization Owner role in org ${fixture.worker.orgId}`);
      expect(find(report, CHECK_NAMES.roleUnassign).detail).toContain('Project Owner of 3 of 3 project(s)');
      expect(find(report, CHECK_NAMES.credentials).status).toBe('pass');
      expect(find(report, CHECK_NAMES.org).status).toBe('pass');
    });

    it('fails a service account that is only Organization Member', async () => {
      fixture = await startCheckFixture();
      fixture.sim.state.serviceAccounts.find((a) => a.clientId === fixture.worker.clientId)!.roles = ['ORG_MEMBER'];

      const report = await runCheck(fixture.deps({ auth: 'oauth' }));

      expect(failed(report)).toEqual([CHECK_NAMES.roleDelete, CHECK_NAMES.roleUnassign]);
      expect(find(report, CHECK_NAMES.roleDelete).fix).toContain(`Give service account ${fixture.worker.clientId} the Organization Owner role`);
    });

    it('passes the unassign check for a Project Owner of every project, and still fails the delete check', async () => {
      fixture = await startCheckFixture({ projectsPerOrg: 2 });
      const projects = fixture.sim.state.projects.filter((p) => p.orgId === fixture.worker.orgId);
      fixture.ownKey.roles = [
        { orgId: fixture.worker.orgId, roleName: 'ORG_READ_ONLY' },
        ...projects.map((p) => ({ groupId: p.id, roleName: 'GROUP_OWNER' })),
      ];

      const report = await runCheck(fixture.deps());

      expect(failed(report)).toEqual([CHECK_NAMES.roleDelete]);
      expect(find(report, CHECK_NAMES.roleUnassign).detail).toContain('Project Owner of all 2 project(s)');
    });

    it('only warns while the policy cannot write (dry run, commands "dry-run")', async () => {
      fixture = await startCheckFixture();
      fixture.ownKey.roles = [{ orgId: fixture.worker.orgId, roleName: 'ORG_MEMBER' }];

      const report = await runCheck(fixture.deps({ policy: { dryRun: true, commands: 'dry-run' } }));

      expect(report.ok).toBe(true);
      expect(find(report, CHECK_NAMES.roleDelete)).toMatchObject({ status: 'warn', detail: expect.stringContaining('needed to go live') });
    });
  });

  describe('egress IP not listed', () => {
    it("fails when the worker's address is not on its key's access list, naming the address in the fix", async () => {
      // The worker's calls come from 203.0.113.50; its key lists only 127.0.0.1.
      fixture = await startCheckFixture({}, { clientAddress: '203.0.113.50' });

      const report = await runCheck(fixture.deps());

      expect(failed(report)).toEqual([CHECK_NAMES.accessList]);
      const entry = find(report, CHECK_NAMES.accessList);
      expect(entry.detail).toMatch(/^egress IP not listed: API key \w+ may not be used from 203\.0\.113\.50.*IP_ADDRESS_NOT_ON_ACCESS_LIST/);
      expect(entry.fix).toContain(`Add 203.0.113.50 to the access list of API key ${fixture.worker.publicKey}`);
      expect(entry.fix).toContain('--ip 203.0.113.50');
      expect(find(report, CHECK_NAMES.credentials).status).toBe('pass');
    });

    it('fails when the org requires an access list (403 ORG_REQUIRES_ACCESS_LIST)', async () => {
      fixture = await startCheckFixture();
      fixture.ownKey.accessList = [];
      fixture.sim.addFault({ path: `/orgs/${fixture.worker.orgId}`, fault: { kind: 'status', status: 403, errorCode: 'ORG_REQUIRES_ACCESS_LIST' } });

      const report = await runCheck(fixture.deps());

      expect(failed(report)).toEqual([CHECK_NAMES.accessList]);
      expect(find(report, CHECK_NAMES.accessList).detail).toContain(`org ${fixture.worker.orgId} requires an API access list`);
      expect(find(report, CHECK_NAMES.accessList).fix).toContain('EgressIps output');
    });

    it('fails when the deployed egress IP given by the operator is not on the list, and passes when it is', async () => {
      fixture = await startCheckFixture();

      const missing = await runCheck(fixture.deps({ extra: { egressIp: '198.51.100.9' } }));
      fixture.ownKey.accessList.push({ cidrBlock: '198.51.100.0/24', created: '2026-01-01T00:00:00Z', count: 0 });
      const listed = await runCheck(fixture.deps({ extra: { egressIp: '198.51.100.9' }, policy: { protectedEntries: ['198.51.100.0/24'] } }));

      expect(failed(missing)).toEqual([CHECK_NAMES.accessList]);
      expect(find(missing, CHECK_NAMES.accessList).fix).toContain(`--apiKey ${fixture.ownKey.id} --ip 198.51.100.9`);
      expect(listed.ok).toBe(true);
      expect(find(listed, CHECK_NAMES.accessList).detail).toContain('egress IP 198.51.100.9 is on');
      expect(find(listed, CHECK_NAMES.protectedEntries).status).toBe('pass');
    });

    it("warns when protectedEntries does not cover the worker's entry", async () => {
      fixture = await startCheckFixture();

      const report = await runCheck(fixture.deps({ policy: { protectedEntries: ['10.0.0.0/8'] } }));

      expect(report.ok).toBe(true);
      expect(find(report, CHECK_NAMES.protectedEntries)).toMatchObject({ status: 'warn', fix: 'Add "127.0.0.1" to protectedEntries in policy.json.' });
    });

    it('passes a key without an access list in an org that does not require one', async () => {
      fixture = await startCheckFixture();
      fixture.ownKey.accessList = [];

      const report = await runCheck(fixture.deps());

      expect(find(report, CHECK_NAMES.accessList)).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^not required/) });
      expect(report.checks.map((c) => c.name)).not.toContain(CHECK_NAMES.protectedEntries);
    });
  });

  describe('http base URL', () => {
    it('fails plain http to a host that is not loopback, before anything is sent', async () => {
      fixture = await startCheckFixture();

      const report = await runCheck(fixture.deps({ baseUrl: 'http://atlas.example.com' }));

      expect(report.checks.filter((c) => c.orgId !== undefined)).toEqual([
        {
          orgId: fixture.worker.orgId,
          name: CHECK_NAMES.baseUrl,
          status: 'fail',
          detail: expect.stringContaining('plain http to a host that is not loopback'),
          fix: expect.stringContaining('Use https://atlas.example.com in the base URL of secret atlas-key-worker/credentials'),
        },
      ]);
      expect(fixture.clientsBuilt).toEqual([]);
      expect(fixture.sim.requests).toEqual([]);
    });

    it("names the policy's orgs[].baseUrl when the URL comes from there, and warns about a path the worker ignores", async () => {
      fixture = await startCheckFixture();

      const report = await runCheck(fixture.deps({ policy: { orgs: [{ orgId: fixture.worker.orgId, baseUrl: `${fixture.sim.baseUrl}/api/atlas/v2` }] } }));

      expect(find(report, CHECK_NAMES.baseUrl)).toMatchObject({
        status: 'warn',
        fix: `Set orgs[0].baseUrl in policy.json to the origin only (${fixture.sim.baseUrl}); the worker adds /api/atlas/v2 itself.`,
      });
      expect(failed(report)).toEqual([]);
    });
  });

  describe('wrong base path', () => {
    it("fails when the origin does not serve /api/atlas/v2 (a web server's 404 page), and sends it no credentials", async () => {
      fixture = await startCheckFixture();
      server = await startStaticServer(404, NGINX_404);

      const report = await runCheck(fixture.deps({ baseUrl: server.baseUrl }));

      expect(failed(report)).toEqual([CHECK_NAMES.api]);
      const api = find(report, CHECK_NAMES.api);
      expect(api.detail).toMatch(/^wrong base path: nothing at http:\/\/127\.0\.0\.1:\d+\/api\/atlas\/v2\/orgs\/\{orgId\} \(404 \(text\/html\)\)/);
      expect(api.fix).toContain('at /api/atlas/v2 (https://cloud.mongodb.com for Atlas');
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.headers.authorization).toBeUndefined();
      expect(fixture.clientsBuilt).toEqual([]);
    });

    it('fails when the base URL answers with an HTML page (a login page)', async () => {
      fixture = await startCheckFixture();
      server = await startStaticServer(200, LOGIN_PAGE);

      const report = await runCheck(fixture.deps({ baseUrl: server.baseUrl }));

      expect(failed(report)).toEqual([CHECK_NAMES.api]);
      expect(find(report, CHECK_NAMES.api).detail).toContain('answered 200 with an HTML page');
    });

    it('fails version negotiation when the server refuses the Atlas media type (406)', async () => {
      fixture = await startCheckFixture();
      fixture.sim.addFault({ path: '/api/atlas/v2/', fault: { kind: 'status', status: 406, errorCode: 'INVALID_VERSION_DATE' } });

      const report = await runCheck(fixture.deps());

      expect(failed(report)).toEqual([CHECK_NAMES.api]);
      expect(find(report, CHECK_NAMES.api).detail).toMatch(/^version negotiation failed: .* refused Accept application\/vnd\.atlas\.2023-01-01\+json with 406 INVALID_VERSION_DATE/);
      expect(find(report, CHECK_NAMES.api).fix).toContain('set flavor "ops-manager"');
    });

    it('fails with the connection error when nothing listens at the base URL', async () => {
      fixture = await startCheckFixture();
      server = await startStaticServer(404, '');
      const closedUrl = server.baseUrl;
      await server.close();
      server = undefined;

      const report = await runCheck(fixture.deps({ baseUrl: closedUrl }));

      expect(find(report, CHECK_NAMES.api)).toMatchObject({ status: 'fail', detail: `${closedUrl} did not answer (ECONNREFUSED)` });
    });
  });

  describe('the org', () => {
    it('fails an org that does not exist', async () => {
      fixture = await startCheckFixture();

      const report = await runCheck(fixture.deps({ policy: { orgs: [{ orgId: '0123456789abcdef01234567' }] } }));

      expect(failed(report)).toEqual([CHECK_NAMES.org]);
      expect(find(report, CHECK_NAMES.org)).toMatchObject({ detail: expect.stringContaining('was not found (404'), fix: expect.stringContaining('orgs[].orgId') });
    });

    it("fails an org the key holds no role in (another org's key)", async () => {
      fixture = await startCheckFixture({ orgs: 2 });
      const other = fixture.sim.workers[1]!.orgId;

      const report = await runCheck(fixture.deps({ policy: { orgs: [{ orgId: other }] } }));

      expect(failed(report)).toEqual([CHECK_NAMES.org]);
      expect(find(report, CHECK_NAMES.org).detail).toContain(`may not read org ${other} (403`);
    });
  });
});
