import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

export const DEPLOY_DIR = fileURLToPath(new URL('../../../deploy/k8s/', import.meta.url));
export const OVERLAYS = readdirSync(join(DEPLOY_DIR, 'overlays'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** A rendered Kubernetes object; fields are checked by the policy tests, not by this type. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [field: string]: unknown;
}

/** `kubectl version --client` works: kubectl (with its built-in kustomize) is on the PATH. */
export function kubectlAvailable(): boolean {
  const result = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return result.status === 0;
}

/** `kubectl kustomize deploy/k8s/overlays/<overlay>`, parsed. */
export function renderOverlay(overlay: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', join(DEPLOY_DIR, 'overlays', overlay)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`kubectl kustomize overlays/${overlay} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`overlays/${overlay}: ${document.errors[0]!.message}`);
    return document.toJS() as K8sObject;
  });
}

export const describeObject = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;

/**
 * Validates a built-in object against the Kubernetes OpenAPI schemas (kubernetes-models), or a
 * CloudNativePG object against the schema of the fields we use. Returns the problem or `undefined`.
 */
export async function validateObject(object: K8sObject): Promise<string | undefined> {
  const crd = CRD_SCHEMAS[`${object.apiVersion}/${object.kind}`];
  if (crd) {
    const result = crd.safeParse(object);
    return result.success
      ? undefined
      : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  }
  let model: { new (data: unknown): { validate(): void } };
  try {
    const module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, any>;
    model = module[object.kind];
  } catch {
    return `no Kubernetes schema for ${object.apiVersion} ${object.kind}`;
  }
  try {
    new model(object).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

// ------------------------------------------------------------------ CloudNativePG (CRDs)
// kubernetes-models has no CRDs: these schemas cover the fields our manifests use, strictly, so a
// misspelt or misplaced field fails here instead of being ignored by the operator.

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label');
const metadata = z
  .object({
    name,
    namespace: name.optional(),
    labels: z.record(z.string()).optional(),
    annotations: z.record(z.string()).optional(),
  })
  .strict();
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/, 'must be a Kubernetes quantity');

const cnpgRole = z
  .object({
    name,
    ensure: z.enum(['present', 'absent']).optional(),
    login: z.boolean().optional(),
    superuser: z.boolean().optional(),
    createdb: z.boolean().optional(),
    connectionLimit: z.number().int().min(-1).optional(),
    inRoles: z.array(z.string()).optional(),
    passwordSecret: z.object({ name }).strict().optional(),
  })
  .strict();

const cnpgCluster = z
  .object({
    apiVersion: z.literal('postgresql.cnpg.io/v1'),
    kind: z.literal('Cluster'),
    metadata,
    spec: z
      .object({
        instances: z.number().int().min(1),
        imageName: z.string().regex(/:[\w.-]+$/, 'must pin an image tag').optional(),
        primaryUpdateStrategy: z.enum(['unsupervised', 'supervised']).optional(),
        storage: z.object({ size: quantity, storageClass: z.string().optional() }).strict(),
        postgresql: z.object({ parameters: z.record(z.string()) }).strict().optional(),
        bootstrap: z
          .object({ initdb: z.object({ database: name, owner: name }).strict() })
          .strict()
          .optional(),
        managed: z.object({ roles: z.array(cnpgRole) }).strict().optional(),
        resources: z
          .object({
            requests: z.object({ cpu: quantity, memory: quantity }).strict(),
            limits: z.object({ cpu: quantity, memory: quantity }).strict(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();

const cnpgDatabase = z
  .object({
    apiVersion: z.literal('postgresql.cnpg.io/v1'),
    kind: z.literal('Database'),
    metadata,
    spec: z
      .object({
        name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
        owner: z.string(),
        cluster: z.object({ name }).strict(),
        ensure: z.enum(['present', 'absent']).optional(),
      })
      .strict(),
  })
  .strict();

const CRD_SCHEMAS: Record<string, z.ZodTypeAny> = {
  'postgresql.cnpg.io/v1/Cluster': cnpgCluster,
  'postgresql.cnpg.io/v1/Database': cnpgDatabase,
};

// ------------------------------------------------------------------ helpers for the policies

export interface PodOwner {
  object: K8sObject;
  podSpec: any;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
}

/** Objects that run pods, with their pod template. */
export function podOwners(objects: K8sObject[], kinds = ['Deployment', 'StatefulSet', 'Job']): PodOwner[] {
  return objects
    .filter((object) => kinds.includes(object.kind))
    .map((object) => ({
      object,
      podSpec: object.spec.template.spec,
      podLabels: object.spec.template.metadata?.labels ?? {},
      podAnnotations: object.spec.template.metadata?.annotations ?? {},
    }));
}

/** Does a `LabelSelector` (matchLabels + matchExpressions) select these labels? */
export function selects(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const matchLabels: Record<string, string> = selector.matchLabels ?? {};
  const expressions: { key: string; operator: string; values?: string[] }[] = selector.matchExpressions ?? [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return true;
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    expressions.every(({ key, operator, values = [] }) => {
      const value = labels[key];
      switch (operator) {
        case 'In':
          return value !== undefined && values.includes(value);
        case 'NotIn':
          return value === undefined || !values.includes(value);
        case 'Exists':
          return value !== undefined;
        case 'DoesNotExist':
          return value === undefined;
        default:
          throw new Error(`unknown selector operator ${operator}`);
      }
    })
  );
}

/** Every container of a pod spec, init containers included. */
export function containersOf(podSpec: any): any[] {
  return [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
}
