import type { App } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One finding of a cdk-nag pack: the rule (with its finding id, if any) and the resource's construct path. */
export interface Finding {
  readonly rule: string;
  readonly path: string;
}

/** One acknowledgement recorded with `Validations.of(construct).acknowledge`. */
export interface Acknowledgement {
  readonly rule: string;
  readonly path: string;
  readonly reason: string;
}

/** Unacknowledged findings of `pack` in `scope`. */
export function findings(pack: NagPack, scope: IConstruct): Finding[] {
  return pack
    .validateScope(scope)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({ rule: violation.ruleName, path: resource.constructPath ?? '' })),
    );
}

/** Every finding of `pack` in `scope`, acknowledged or not: what the acknowledgements must each match. */
export function rawFindings(pack: NagPack, scope: IConstruct): Finding[] {
  // cdk-nag consults `isAcknowledged` on the pack for each finding; an instance override sees them all.
  Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return findings(pack, scope);
}

/** Every acknowledgement under `scope`, with the path of the construct that carries it. */
export function acknowledgements(scope: IConstruct | App): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([rule, reason]) => ({ rule: rule.replace(/^annotation::/i, ''), path: construct.node.path, reason })),
  );
}
