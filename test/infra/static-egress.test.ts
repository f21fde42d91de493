import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { type IVpc, Vpc } from 'aws-cdk-lib/aws-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import { synthWorker, testStack } from './helpers.ts';

describe('AtlasKeyWorker: static egress', () => {
  it('creates no VPC, NAT gateway, Elastic IP or output without the prop', () => {
    // GIVEN / WHEN
    const { template, worker } = synthWorker();
    // THEN
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    expect(Object.keys(template.findOutputs('*'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
    expect(worker.vpc).toBeUndefined();
    expect(worker.egressIp).toBeUndefined();
  });

  describe('with a new VPC', () => {
    let stack: Stack;
    let worker: AtlasKeyWorker;
    let template: Template;
    beforeAll(() => {
      // GIVEN / WHEN
      ({ stack, worker, template } = synthWorker({ staticEgress: {} }));
    });

    it('leaves through one NAT gateway whose Elastic IP is allocated by the construct', () => {
      template.resourceCountIs('AWS::EC2::VPC', 1);
      template.resourceCountIs('AWS::EC2::NatGateway', 1);
      template.resourceCountIs('AWS::EC2::EIP', 1);
      template.hasResourceProperties('AWS::EC2::NatGateway', {
        AllocationId: { 'Fn::GetAtt': [stack.getLogicalId(worker.egressIp!), 'AllocationId'] },
      });
    });

    it('outputs the egress IP', () => {
      const outputs = Object.values(template.findOutputs('*'));
      expect(outputs).toEqual([
        expect.objectContaining({ Value: { 'Fn::GetAtt': [stack.getLogicalId(worker.egressIp!), 'PublicIp'] } }),
      ]);
    });

    it('places the function in the private subnets', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      });
      const privateSubnets = worker.vpc!.privateSubnets.map((subnet) => stack.resolve(subnet.subnetId));
      const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
      expect(fn?.Properties.VpcConfig.SubnetIds).toEqual(privateSubnets);
    });

    it('protects its egress IP in the policy the function receives', () => {
      const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
      const keyPolicy = JSON.stringify(fn?.Properties.Environment.Variables.KEY_POLICY);
      expect(keyPolicy).toContain('protectedEntries');
      expect(keyPolicy).toContain(JSON.stringify({ 'Fn::GetAtt': [stack.getLogicalId(worker.egressIp!), 'PublicIp'] }));
    });

    it('logs the VPC’s flows', () => {
      template.resourceCountIs('AWS::EC2::FlowLog', 1);
    });
  });

  it('uses an existing VPC as it is, with no Elastic IP or output of its own', () => {
    // GIVEN
    const stack = testStack();
    // aws-cdk-lib's `Vpc.vpnGatewayId` is `string | undefined`, which exactOptionalPropertyTypes rejects for IVpc.
    const vpc = new Vpc(stack, 'Existing', { maxAzs: 2, natGateways: 1 }) as IVpc;
    // WHEN
    const { template, worker } = synthWorker({ staticEgress: { vpc } }, stack);
    // THEN
    expect(worker.vpc).toBe(vpc);
    expect(worker.egressIp).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPC', 1);
    expect(Object.keys(template.findOutputs('*'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.anyValue() });
  });
});
