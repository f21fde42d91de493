import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { type IVpc, Vpc } from 'aws-cdk-lib/aws-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import { environmentOf, synthWorker, testStack } from './helpers.ts';

describe('AtlasKeyWorker: static egress', () => {
  it('creates no VPC, NAT gateway, Elastic IP or security group without the prop', () => {
    const { template, worker } = synthWorker();
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::SecurityGroup']) {
      template.resourceCountIs(type, 0);
    }
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
    expect(worker.vpc).toBeUndefined();
    expect(worker.egressIps).toEqual([]);
  });

  describe('with a new VPC', () => {
    let stack: Stack;
    let worker: AtlasKeyWorker;
    let template: Template;
    beforeAll(() => {
      ({ stack, worker, template } = synthWorker({ staticEgress: {} }));
    });

    it('leaves through one NAT gateway whose Elastic IP is allocated here and retained', () => {
      template.resourceCountIs('AWS::EC2::NatGateway', 1);
      const eips = template.findResources('AWS::EC2::EIP');
      const [eipId, eip] = Object.entries(eips)[0]!;
      expect(Object.keys(eips)).toHaveLength(1);
      // The id it always had: an existing deployment keeps its address.
      expect(eipId).toMatch(/^WorkerStaticEgressElasticIp[0-9A-F]{8}$/);
      expect(eip).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      template.hasResourceProperties('AWS::EC2::NatGateway', { AllocationId: { 'Fn::GetAtt': [eipId, 'AllocationId'] } });
    });

    it('gives public subnets no automatic public IPs: only the NAT gateway lives there', () => {
      template.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true }, 0);
    });

    it('lets the functions out on TCP 443 only, and in on nothing', () => {
      const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup'));
      expect(groups).toHaveLength(1);
      expect(groups[0]?.Properties.SecurityGroupEgress).toEqual([
        { CidrIp: '0.0.0.0/0', Description: 'HTTPS to Atlas and AWS APIs', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
      ]);
      expect(groups[0]?.Properties.SecurityGroupIngress).toBeUndefined();
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });

    it('places both functions in the private subnets, in that security group', () => {
      const privateSubnets = worker.vpc!.privateSubnets.map((subnet) => stack.resolve(subnet.subnetId));
      const groupId = Object.keys(template.findResources('AWS::EC2::SecurityGroup'))[0];
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      expect(functions).toHaveLength(2);
      for (const fn of functions) {
        expect(fn.Properties.VpcConfig).toEqual({
          SubnetIds: privateSubnets,
          SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }],
        });
      }
    });

    it('protects its egress IP in the policy the functions receive', () => {
      const keyPolicy = JSON.stringify(environmentOf(template).KEY_POLICY);
      expect(keyPolicy).toContain('protectedEntries');
      expect(keyPolicy).toContain(JSON.stringify(stack.resolve(worker.egressIps[0])));
    });

    it('logs the VPC’s flows', () => {
      template.resourceCountIs('AWS::EC2::FlowLog', 1);
    });
  });

  it('puts one NAT gateway, with its own retained Elastic IP, in each AZ with natGatewayPerAz', () => {
    const { template, worker, stack } = synthWorker({ staticEgress: { natGatewayPerAz: true } });
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    const eips = Object.values(template.findResources('AWS::EC2::EIP'));
    expect(eips).toHaveLength(2);
    for (const eip of eips) expect(eip).toMatchObject({ DeletionPolicy: 'Retain' });
    const keyPolicy = JSON.stringify(environmentOf(template).KEY_POLICY);
    for (const ip of worker.egressIps) expect(keyPolicy).toContain(JSON.stringify(stack.resolve(ip)));
  });

  it('uses existing Elastic IP allocations, allocating none', () => {
    const { template, worker } = synthWorker({ staticEgress: { elasticIpAllocationIds: ['eipalloc-0123456789abcdef0'] } });
    template.resourceCountIs('AWS::EC2::EIP', 0);
    template.hasResourceProperties('AWS::EC2::NatGateway', { AllocationId: 'eipalloc-0123456789abcdef0' });
    expect(worker.egressIps).toEqual([]);
  });

  it('fails if the allocations do not match the NAT gateways', () => {
    expect(() =>
      synthWorker({ staticEgress: { natGatewayPerAz: true, elasticIpAllocationIds: ['eipalloc-0123456789abcdef0'] } }),
    ).toThrow('staticEgress.elasticIpAllocationIds must list one allocation per NAT gateway, 2 (given 1)');
  });

  it('uses an existing VPC as it is, adding only the functions’ security group', () => {
    const stack = testStack();
    // aws-cdk-lib's `Vpc.vpnGatewayId` is `string | undefined`, which exactOptionalPropertyTypes rejects for IVpc.
    const vpc = new Vpc(stack, 'Existing', { maxAzs: 2, natGateways: 1 }) as IVpc;
    const { template, worker } = synthWorker({ staticEgress: { vpc } }, stack);
    expect(worker.vpc).toBe(vpc);
    expect(worker.egressIps).toEqual([]);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::EIP', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: stack.resolve(vpc.vpcId) });
    expect(() => synthWorker({ staticEgress: { vpc, natGatewayPerAz: true } }, testStack())).toThrow(
      /natGatewayPerAz and elasticIpAllocationIds apply only to a new VPC/,
    );
  });
});
