import { CfnOutput } from 'aws-cdk-lib';
import {
  CfnEIP,
  FlowLogDestination,
  FlowLogTrafficType,
  type IVpc,
  NatProvider,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Where the worker's traffic to Atlas leaves AWS, for orgs that require an API access list. */
export interface StaticEgressOptions {
  /**
   * An existing VPC to run the function in. Its NAT gateways' public IPs must be on the worker key's API access
   * list, and should be in the policy's `protectedEntries`; the construct cannot know them.
   *
   * @default - a new VPC over two AZs with one NAT gateway, whose Elastic IP is allocated here and output
   */
  readonly vpc?: IVpc;

  /**
   * The subnets of `vpc` to place the function in; they must route to the internet through a NAT.
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: SubnetSelection;
}

/** Props of `StaticEgress`. */
export interface StaticEgressProps extends StaticEgressOptions {
  /** Retention of the new VPC's flow log. */
  readonly flowLogRetention: RetentionDays;
}

/**
 * A VPC whose private subnets reach the internet through one NAT gateway with a known Elastic IP. When a VPC is
 * given, it is used as it is and nothing is created.
 */
export class StaticEgress extends Construct {
  readonly vpc: IVpc;
  readonly vpcSubnets: SubnetSelection;
  /** The Elastic IP of the NAT gateway; only when the VPC was created here. */
  readonly elasticIp?: CfnEIP;

  constructor(scope: Construct, id: string, props: StaticEgressProps) {
    super(scope, id);
    this.vpcSubnets = props.vpcSubnets ?? { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
    if (props.vpc) {
      this.vpc = props.vpc;
      return;
    }

    const elasticIp = new CfnEIP(this, 'ElasticIp', { domain: 'vpc' });
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      natGatewayProvider: NatProvider.gateway({ eipAllocationIds: [elasticIp.attrAllocationId] }),
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 28 },
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
    this.elasticIp = elasticIp;

    new CfnOutput(this, 'EgressIp', {
      value: elasticIp.attrPublicIp,
      description: "The worker's egress IP: add it to the worker key's API access list and to protectedEntries",
    });
  }
}
