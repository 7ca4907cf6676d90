import { isArnRefusal, parseResourceArn, type ArnRefusal, type ResourceKind, type ResourceRef } from '../arns.js';
import { AccessDeniedException, ResourceNotFoundException, ThrottlingException, ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { checkTagKeys } from './tag-keys.js';

/** A resource's tags as its record keeps them, with the version a write is conditioned on. */
export interface TaggedRecord {
  tags: Record<string, string>;
  /** Undefined for records written before versions. */
  version?: number;
}

/**
 * One kind of taggable resource, as the tag operations see it. Tags live on the resource's own
 * record, so a delete takes them along.
 */
export interface TaggableKind {
  /** How messages name the kind: "Workload identity", "API key credential provider". */
  label: string;
  read(name: string): Promise<TaggedRecord | undefined>;
  /** Replaces the tags if the record is still at `expectedVersion`; false otherwise (or gone). */
  write(name: string, tags: Record<string, string>, expectedVersion: number | undefined): Promise<boolean>;
  /**
   * Gives what else carries the resource's tags (a managed secret) the record's tags. Runs after
   * every tag change, also one that found the record already as asked, so that a call retried
   * after a failure here completes what the first attempt left.
   */
  propagate?(name: string): Promise<void>;
}

export type TaggableKinds = Partial<Record<ResourceKind, TaggableKind>>;

/** The model's limit of tags per resource (TagsMap), counted after a TagResource's merge. */
export const MAX_TAGS = 50;
/** Rounds of read, merge and conditional write before concurrent writers are told to slow down. */
const WRITE_ROUNDS = 10;
/**
 * TagResource, UntagResource and ListTagsForResource, by ARN, for every kind in `kinds`.
 * Behaviour where the contract is silent:
 * - ARNs are accepted in the `bedrock-agentcore` and the older `acps` namespace (lib/arns.ts).
 *   A well-formed ARN that names nothing here is a ResourceNotFoundException, also when it is of
 *   another region or partition; one of another account is an AccessDeniedException, as IAM
 *   answers a caller without a resource policy's grant there.
 * - TagResource merges (a given key's value replaces the old one); more than 50 tags after the
 *   merge is a ValidationException and nothing is written. Keys beginning with `aws:` are
 *   reserved. UntagResource ignores keys the resource does not have.
 * - Each write is conditioned on the version read: concurrent calls each take effect in full.
 */
export function resourceTagOperations({ kinds }: { kinds: TaggableKinds }) {
  const resolve = (arn: string, caller: CallerContext): { ref: ResourceRef; kind: TaggableKind } => {
    const parsed = parseResourceArn(arn, caller);
    if (isArnRefusal(parsed)) throw refusalError(parsed);
    const kind = kinds[parsed.kind];
    if (!kind) throw refusalError({ refused: 'unknown-resource' });
    return { ref: parsed, kind };
  };

  const change = async (arn: string, caller: CallerContext, edit: (tags: Record<string, string>) => Record<string, string>): Promise<void> => {
    const { ref, kind } = resolve(arn, caller);
    for (let round = 0; round < WRITE_ROUNDS; round++) {
      const record = await kind.read(ref.name);
      if (!record) throw notFound(kind, ref);
      const next = edit(record.tags);
      if (sameTags(next, record.tags) || (await kind.write(ref.name, next, record.version))) {
        await kind.propagate?.(ref.name);
        return;
      }
    }
    throw new ThrottlingException('The resource is being changed by many calls at once; retry');
  };

  return {
    async tag(input: { resourceArn: string; tags: Record<string, string> }, caller: CallerContext): Promise<void> {
      checkTagKeys(input.tags);
      await change(input.resourceArn, caller, (tags) => {
        const merged: Record<string, string> = Object.assign(Object.create(null), tags, input.tags);
        const count = Object.keys(merged).length;
        if (count > MAX_TAGS) throw ValidationException.field('tags', `would give the resource ${count} tags; a resource has at most ${MAX_TAGS}`);
        return merged;
      });
    },

    async untag(input: { resourceArn: string; tagKeys: string[] }, caller: CallerContext): Promise<void> {
      if (input.tagKeys.length === 0) throw ValidationException.field('tagKeys', 'must name at least one tag key');
      const removed = new Set(input.tagKeys);
      await change(input.resourceArn, caller, (tags) => {
        const kept: Record<string, string> = Object.create(null);
        for (const key of Object.keys(tags)) if (!removed.has(key)) kept[key] = tags[key]!;
        return kept;
      });
    },

    async list(input: { resourceArn: string }, caller: CallerContext) {
      const { ref, kind } = resolve(input.resourceArn, caller);
      const record = await kind.read(ref.name);
      if (!record) throw notFound(kind, ref);
      return { tags: record.tags };
    },
  };
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key]);
}

function notFound(kind: TaggableKind, ref: ResourceRef): ResourceNotFoundException {
  return new ResourceNotFoundException(`${kind.label} ${ref.name} does not exist`);
}

function refusalError({ refused }: ArnRefusal): Error {
  switch (refused) {
    case 'malformed':
      return ValidationException.field('resourceArn', 'must be the ARN of a workload identity or credential provider');
    case 'other-account':
      return new AccessDeniedException('The resource belongs to another AWS account; this deployment cannot reach it');
    default:
      return new ResourceNotFoundException('No resource of this deployment has the ARN given (its kind, region or partition is not served here)');
  }
}
