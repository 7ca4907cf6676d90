import { ValidationException } from '../errors.js';

/** Tag keys AWS reserves for itself: Secrets Manager refuses them on a managed secret. */
const RESERVED_PREFIX = /^aws:/i;

/**
 * The tag keys a caller may set, at create as at TagResource: one rule, so a resource can never
 * be created holding tags that TagResource would refuse (nor a managed secret be refused them).
 */
export function checkTagKeys(tags: Record<string, string> | undefined): void {
  if (tags && Object.keys(tags).some((key) => RESERVED_PREFIX.test(key))) {
    throw ValidationException.field('tags', 'must not hold keys beginning with "aws:", which AWS reserves');
  }
}
