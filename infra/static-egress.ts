import { RemovalPolicy } from 'aws-cdk-lib';
import {
  CfnEIP,
  FlowLogDestination,
  FlowLogTrafficType,
  type IVpc,
  NatProvider,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Availability zones of the VPC the construct creates. */
export const STATIC_EGRESS_AZS = 2;

/** Where the worker's traffic to Atlas leaves AWS, for orgs that require an API access list. */
export interface StaticEgressOptions {
  /**
   * An existing VPC to run the function in. Its NAT gateways' public IPs must be on the worker key's API access
   * list, and should be in the policy's `protectedEntries`; the construct cannot know them.
   *
   * @default - a new VPC over two AZs with NAT gateways whose Elastic IPs are allocated (and retained) here
   */
  readonly vpc?: IVpc;

  /**
   * The subnets of `vpc` to place the function in; they must route to the internet through a NAT.
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: SubnetSelection;

  /**
   * One NAT gateway per AZ (two) instead of one: the worker keeps reaching Atlas when one AZ fails, at the cost
   * of a second NAT gateway and a second egress IP to list on the key. Only for a new VPC.
   *
   * @default false
   */
  readonly natGatewayPerAz?: boolean;

  /**
   * Allocation ids of existing Elastic IPs for the NAT gateways (one, or two with `natGatewayPerAz`), e.g. the
   * IP an earlier deployment retained and that is already on the key's access list. Their addresses are not
   * known at synth time: list them in the policy's `protectedEntries` yourself. Only for a new VPC.
   *
   * @default - new Elastic IPs, allocated here, retained when the stack is deleted
   */
  readonly elasticIpAllocationIds?: readonly string[];
}

/** Props of `StaticEgress`. */
export interface StaticEgressProps extends StaticEgressOptions {
  /** Retention of the new VPC's flow log. */
  readonly flowLogRetention: RetentionDays;
}

/**
 * A VPC whose private subnets reach the internet through NAT gateways with known Elastic IPs, and the
 * function's security group (HTTPS out, nothing else). When a VPC is given, it is used as it is.
 */
export class StaticEgress extends Construct {
  readonly vpc: IVpc;
  readonly vpcSubnets: SubnetSelection;
  /** The function's security group: egress TCP 443 only (Atlas, AWS APIs), no ingress. */
  readonly securityGroup: SecurityGroup;
  /** Elastic IPs allocated here (none when a VPC or allocation ids were given). */
  readonly elasticIps: readonly CfnEIP[];

  constructor(scope: Construct, id: string, props: StaticEgressProps) {
    super(scope, id);
    this.vpcSubnets = props.vpcSubnets ?? { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
    const natGateways = props.natGatewayPerAz ? STATIC_EGRESS_AZS : 1;

    if (props.vpc) {
      if (props.natGatewayPerAz !== undefined || props.elasticIpAllocationIds !== undefined) {
        throw new Error('staticEgress: natGatewayPerAz and elasticIpAllocationIds apply only to a new VPC (given vpc)');
      }
      this.vpc = props.vpc;
      this.elasticIps = [];
    } else {
      const given = props.elasticIpAllocationIds;
      if (given !== undefined && given.length !== natGateways) {
        throw new Error(
          `staticEgress.elasticIpAllocationIds must list one allocation per NAT gateway, ${natGateways} ` +
            `(given ${given.length})`,
        );
      }
      // Retained: deleting or replacing the stack must not release the IP that the key's access list names.
      // The first keeps the id it always had, so that existing deployments keep their address.
      const allocated =
        given === undefined
          ? Array.from({ length: natGateways }, (_, index) => {
              const eip = new CfnEIP(this, index === 0 ? 'ElasticIp' : `ElasticIp${index}`, { domain: 'vpc' });
              eip.applyRemovalPolicy(RemovalPolicy.RETAIN);
              return eip;
            })
          : [];
      const vpc = new Vpc(this, 'Vpc', {
        maxAzs: STATIC_EGRESS_AZS,
        natGateways,
        natGatewayProvider: NatProvider.gateway({
          eipAllocationIds: given ? [...given] : allocated.map((eip) => eip.attrAllocationId),
        }),
        subnetConfiguration: [
          // Only the NAT gateways live in the public subnets, with their Elastic IPs: no automatic public IPs.
          { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 28, mapPublicIpOnLaunch: false },
          { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        ],
      });
      vpc.addFlowLog('FlowLog', {
        destination: FlowLogDestination.toCloudWatchLogs(
          new LogGroup(this, 'FlowLogGroup', { retention: props.flowLogRetention }),
        ),
        trafficType: FlowLogTrafficType.ALL,
      });
      // `Vpc` implements `IVpc`; the cast only bridges aws-cdk-lib's typings under exactOptionalPropertyTypes.
      this.vpc = vpc as IVpc;
      this.elasticIps = allocated;
    }

    // DNS to the VPC resolver is not filtered by security groups; everything the worker calls is HTTPS.
    this.securityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Atlas key worker: HTTPS out only (Atlas, Secrets Manager, SQS, DynamoDB, CloudWatch)',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to Atlas and AWS APIs');
  }

  /** The public IPs of the Elastic IPs allocated here (tokens, known at deploy time). */
  get egressIps(): string[] {
    return this.elasticIps.map((eip) => eip.attrPublicIp);
  }
}
