import model from './model.json' with { type: 'json' };
import extensions from '../user-connections/model.json' with { type: 'json' };

/**
 * The wire contract, extracted from the botocore service models by infra/contract/extract.py.
 * Shapes follow the Smithy/botocore JSON form; only what validation needs is kept.
 */
export interface ShapeRef {
  shape: string;
  /** Where a member travels when not in the JSON body: the URI path or the query string. */
  location?: 'uri' | 'querystring' | 'header';
  locationName?: string;
}

export interface Shape {
  type: 'structure' | 'string' | 'integer' | 'long' | 'boolean' | 'list' | 'map' | 'timestamp' | 'blob' | 'double' | 'float';
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  union?: boolean;
  exception?: boolean;
  /** A structure that refuses members it does not know (the extension operations'; AgentCore's ignore them). */
  closed?: boolean;
}

export interface Operation {
  plane: 'control' | 'data';
  method: 'POST' | 'GET' | 'DELETE';
  path: string;
  status: number;
  input: string;
  output?: string;
  errors: string[];
}

/** An extension operation: served like the contract's, under `/extensions/`. */
export interface ExtensionOperation extends Omit<Operation, 'plane'> {
  plane: 'extension';
}

/** The AgentCore contract's operations. */
export const operations = model.operations as Record<string, Operation>;
/**
 * The extension operations (DESIGN.md "Extensions", under `/extensions/`): served by the same edge
 * as the contract's, never listed among them; their shapes may name the contract's.
 */
export const extensionOperations = extensions.operations as Record<string, ExtensionOperation>;
export const shapes = mergedShapes();

export type OperationName = keyof typeof model.operations;
export type ExtensionOperationName = keyof typeof extensions.operations;
/** Every operation the API edge serves. */
export type EdgeOperationName = OperationName | ExtensionOperationName;

function mergedShapes(): Record<string, Shape> {
  const contract = model.shapes as unknown as Record<string, Shape>;
  const added = extensions.shapes as unknown as Record<string, Shape>;
  const clash = Object.keys(added).find((name) => Object.hasOwn(contract, name));
  if (clash) throw new Error(`the extension model redefines the contract's shape ${clash}`);
  return { ...contract, ...added };
}

/** An operation's spec, the contract's or an extension's. */
export function operationSpec(name: EdgeOperationName): Operation | ExtensionOperation {
  return (Object.hasOwn(operations, name) ? operations[name] : extensionOperations[name])!;
}

const byPath = new Map(
  [...Object.entries(operations), ...Object.entries(extensionOperations)].map(([name, op]) => [`${op.method} ${op.path}`, name as EdgeOperationName]),
);

/**
 * The operation an API Gateway route key (`POST /identities/...`) stands for, if any. A route may
 * declare a path member greedy (`/tags/{resourceArn+}`, so that an ARN matches whether or not the
 * gateway splits its encoded slashes): it stands for the contract's `{resourceArn}`.
 */
export function operationForRoute(method: string, path: string): EdgeOperationName | undefined {
  return byPath.get(`${method.toUpperCase()} ${path.replace(/\{(\w+)\+\}/g, '{$1}')}`);
}

/**
 * Limits the service adds where the model is silent but storage is not: DynamoDB refuses items
 * over 400 KB, Secrets Manager values over 65,536 bytes. Lengths count code points (up to 4 UTF-8
 * bytes each), so the worst cases, in bytes, are:
 * - a workload identity: 20 return URLs x 2,048 x 4 + 50 tags x (128 + 256) x 4 = about 240 KB;
 * - a consent session: 100 scopes x 128 x 4 + a return URL (8 KB) + a custom state (16 KB) + the
 *   user (a JWT's issuer and subject, under 100 KB) = about 180 KB;
 * - an OAuth2 provider: tags (77 KB) + issuer, endpoints and discovery URL (33 KB) + 10 response
 *   types x 128 x 4 + 100 actor-token scopes x 128 x 4 = about 170 KB.
 * `maxLength` applies to strings the model leaves unbounded, `maxItems` to lists and maps the model
 * leaves unbounded, `maxJsonBytes` to values the service stores inside a JSON secret. `pattern`
 * replaces the model's pattern where that refuses what the service must accept.
 */
export interface EdgeLimit {
  maxItems?: number;
  maxLength?: number;
  maxJsonBytes?: number;
  pattern?: string;
}

/** Strings the model leaves unbounded (URLs, identifiers, page tokens) are at most this long. */
export const DEFAULT_MAX_STRING_LENGTH = 2048;

export const edgeLimits: Readonly<Record<string, EdgeLimit>> = Object.freeze({
  ScopesListType: { maxItems: 100 },
  AudiencesListType: { maxItems: 10 },
  ResourcesListType: { maxItems: 10 },
  ResourceOauth2ReturnUrlListType: { maxItems: 20 },
  CustomRequestParametersType: { maxItems: 20 },
  ResponseListType: { maxItems: 10 },
  ResponseType: { maxLength: 128 },
  SubnetIds: { maxItems: 16 },
  // A managed secret holds {"apiKey": <value>}: its JSON form must leave room in 65,536 bytes.
  DefaultApiKeyType: { maxJsonBytes: 65_000 },
  DefaultClientSecretType: { maxJsonBytes: 65_000 },
  // A consent portal's identity provider: the model admits only the bedrock-agentcore form;
  // credential provider ARNs minted before (acps) are accepted too (lib/arns.ts parseResourceArn).
  OAuth2CredentialProviderArn: {
    pattern: 'arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):(?:bedrock-agentcore|acps):[a-z0-9-]{1,32}:[0-9]{12}:token-vault/[a-zA-Z0-9_-]{1,64}/oauth2credentialprovider/[a-zA-Z0-9_-]{1,128}',
  },
  // The ARN of a tag operation. The model's pattern admits neither the `acps` namespace that
  // credential provider ARNs were minted in before nor, with its `[a-z-]+` resource types,
  // `oauth2credentialprovider`. The resource is then identified by lib/arns.ts parseResourceArn.
  TaggableResourcesArn: {
    pattern: 'arn:(?:[^:]+)?:(?:bedrock-agentcore|acps):[a-z0-9-]+:[0-9]{12}:([a-z0-9-]+/[^/]+)(?:/[a-z0-9-]+/[^/]+)*',
  },
});
