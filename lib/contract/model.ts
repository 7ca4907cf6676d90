import model from './model.json' with { type: 'json' };

/**
 * The wire contract, extracted from the botocore service models by infra/contract/extract.py.
 * Shapes follow the Smithy/botocore JSON form; only what validation needs is kept.
 */
export interface ShapeRef {
  shape: string;
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
}

export interface Operation {
  plane: 'control' | 'data';
  method: 'POST';
  path: string;
  status: number;
  input: string;
  output?: string;
  errors: string[];
}

export const operations = model.operations as Record<string, Operation>;
export const shapes = model.shapes as unknown as Record<string, Shape>;

export type OperationName = keyof typeof model.operations;

const byPath = new Map(Object.entries(operations).map(([name, op]) => [`${op.method} ${op.path}`, name as OperationName]));

/** The operation an API Gateway route key (`POST /identities/...`) stands for, if any. */
export function operationForRoute(method: string, path: string): OperationName | undefined {
  return byPath.get(`${method.toUpperCase()} ${path}`);
}
