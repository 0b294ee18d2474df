/**
 * Policy tests for deploy/k8s: every overlay is rendered with `kubectl kustomize`, every object is
 * validated against the Kubernetes schemas (kubernetes-models; CloudNativePG objects against the
 * schema of the fields we use), then checked against the rules an SRE applies with confidence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployCopyIsCurrent } from '../../scripts/deploy-sync.js';
import {
  containersOf,
  DEPLOY_DIR,
  describeObject,
  kubectlAvailable,
  OVERLAYS,
  podOwners,
  renderOverlay,
  selects,
  validateObject,
  type K8sObject,
} from './support/manifests.js';

const SUBGRAPHS = ['payments', 'commerce', 'billing', 'helpdesk'];
const SERVICES = ['gateway', ...SUBGRAPHS];
const LEGACY_ROUTES: Record<string, string> = {
  '/graphql': 'gateway',
  '/console': 'gateway',
  '/proxy': 'payments',
  '/ack': 'payments',
  // The Clover dispatcher runs as its own Deployment of the payments image.
  '/clover': 'payments-dispatcher',
  '/payment/clover': 'payments',
  '/prestashop': 'commerce',
  '/api/odoo': 'commerce',
  '/api/billing': 'billing',
  '/api/helpdesk': 'helpdesk',
  '/helpdesk': 'helpdesk',
};
/** Names that must never get a literal value in a manifest (env or ConfigMap). */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|APIKEY|PRIVATE|CREDENTIAL|_KEYS?$/i;

const hasKubectl = kubectlAvailable();

describe('deploy/k8s prerequisites', () => {
  it.runIf(!hasKubectl && process.env.CI === 'true')('kubectl (with kustomize) is installed on CI', () => {
    throw new Error('kubectl is required to render deploy/k8s in CI: install kubectl ≥ 1.27 (kustomize v5 is built in)');
  });

  it('the gateway ConfigMap carries the current supergraph (run `pnpm deploy:sync` after `pnpm compose`)', () => {
    expect(deployCopyIsCurrent()).toBe(true);
  });

  it('the overlays are dev and prod', () => {
    expect(OVERLAYS).toEqual(['dev', 'prod']);
  });
});

describe.runIf(hasKubectl).each(OVERLAYS)('overlay %s', (overlay) => {
  const objects = renderOverlay(overlay);
  const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const deployments = ofKind('Deployment');
  const workloads = podOwners(objects, ['Deployment', 'StatefulSet']);
  const allPods = podOwners(objects);

  it('renders the whole system', () => {
    for (const service of SERVICES) expect(named('Deployment', service), service).toBeDefined();
    for (const subgraph of SUBGRAPHS) expect(named('Job', `${subgraph}-migrate`), subgraph).toBeDefined();
    expect(named('StatefulSet', 'nats')?.spec.replicas).toBe(3);
    expect(named('Cluster', 'switchboard-pg')).toBeDefined();
    expect(ofKind('Database').map((d) => d.spec.name).sort()).toEqual([...SUBGRAPHS].sort());
    const namespace = ofKind('Namespace');
    expect(namespace).toHaveLength(1);
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace, describeObject(object)).toBe(namespace[0]!.metadata.name);
    }
  });

  it('every object is valid against its schema', async () => {
    const problems: string[] = [];
    for (const object of objects) {
      const problem = await validateObject(object);
      if (problem) problems.push(`${describeObject(object)}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('the schema validation does catch a broken object', async () => {
    const deployment = structuredClone(deployments[0]!);
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(await validateObject(deployment)).toMatch(/containerPort must be integer/);
    const cluster = structuredClone(named('Cluster', 'switchboard-pg')!);
    cluster.spec.instaces = 3;
    expect(await validateObject(cluster)).toMatch(/Unrecognized key.*instaces/);
  });

  it('every long-running container has startup, liveness and readiness probes on one of its ports', () => {
    for (const { object, podSpec } of workloads) {
      for (const container of containersOf(podSpec)) {
        const where = `${describeObject(object)} container ${container.name}`;
        const portNames = (container.ports ?? []).map((p: { name?: string }) => p.name);
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
          expect(container[probe], `${where}: ${probe}`).toBeDefined();
          const port = container[probe].httpGet?.port ?? container[probe].tcpSocket?.port;
          if (typeof port === 'string') expect(portNames, `${where}: ${probe} port`).toContain(port);
        }
      }
    }
  });

  it('our services probe /readyz for readiness and /healthz for liveness and start-up', () => {
    for (const service of SERVICES) {
      const container = named('Deployment', service)!.spec.template.spec.containers[0];
      expect(container.readinessProbe.httpGet.path, service).toBe('/readyz');
      expect(container.livenessProbe.httpGet.path, service).toBe('/healthz');
      expect(container.startupProbe.httpGet.path, service).toBe('/healthz');
    }
  });

  it('every container (Jobs included) has CPU and memory requests and limits', () => {
    for (const { object, podSpec } of allPods) {
      for (const container of containersOf(podSpec)) {
        const where = `${describeObject(object)} container ${container.name}`;
        for (const bound of ['requests', 'limits']) {
          expect(container.resources?.[bound]?.cpu, `${where}: ${bound}.cpu`).toBeDefined();
          expect(container.resources?.[bound]?.memory, `${where}: ${bound}.memory`).toBeDefined();
        }
      }
    }
  });

  it('every container runs as non-root on a read-only root filesystem, without privilege escalation or capabilities', () => {
    for (const { object, podSpec } of allPods) {
      expect(podSpec.securityContext?.seccompProfile?.type, `${describeObject(object)}: seccomp`).toBe('RuntimeDefault');
      expect(podSpec.automountServiceAccountToken, `${describeObject(object)}: service account token`).toBe(false);
      expect(podSpec.hostNetwork ?? false).toBe(false);
      for (const container of containersOf(podSpec)) {
        const where = `${describeObject(object)} container ${container.name}`;
        const context = container.securityContext ?? {};
        expect(context.runAsNonRoot ?? podSpec.securityContext?.runAsNonRoot, `${where}: runAsNonRoot`).toBe(true);
        const uid = context.runAsUser ?? podSpec.securityContext?.runAsUser;
        expect(uid, `${where}: numeric non-root runAsUser`).toBeGreaterThan(0);
        expect(context.readOnlyRootFilesystem, `${where}: readOnlyRootFilesystem`).toBe(true);
        expect(context.allowPrivilegeEscalation, `${where}: allowPrivilegeEscalation`).toBe(false);
        expect(context.privileged ?? false, `${where}: privileged`).toBe(false);
        expect(context.capabilities?.drop, `${where}: capabilities`).toEqual(['ALL']);
        expect(context.capabilities?.add ?? [], `${where}: added capabilities`).toEqual([]);
      }
    }
  });

  it('service accounts do not mount API tokens', () => {
    for (const account of ofKind('ServiceAccount')) {
      expect(account.automountServiceAccountToken, describeObject(account)).toBe(false);
    }
  });

  it('every Deployment and StatefulSet has exactly one PodDisruptionBudget selecting its pods, and it allows a drain', () => {
    const budgets = ofKind('PodDisruptionBudget');
    for (const { object, podLabels } of workloads) {
      const matching = budgets.filter((budget) => selects(budget.spec.selector, podLabels));
      expect(matching.map(describeObject), describeObject(object)).toHaveLength(1);
      // minAvailable equal to the replica count would block every node drain.
      expect(matching[0]!.spec.maxUnavailable, describeObject(object)).toBeGreaterThanOrEqual(1);
    }
    for (const budget of budgets) {
      const covered = workloads.filter(({ podLabels }) => selects(budget.spec.selector, podLabels));
      expect(covered.map(({ object }) => describeObject(object)), describeObject(budget)).toHaveLength(1);
    }
  });

  it('replicas spread over zones and nodes', () => {
    for (const { object, podSpec, podLabels } of workloads) {
      const constraints: any[] = podSpec.topologySpreadConstraints ?? [];
      const keys = constraints.map((c) => c.topologyKey).sort();
      expect(keys, describeObject(object)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const constraint of constraints) expect(selects(constraint.labelSelector, podLabels)).toBe(true);
    }
  });

  it('no Secret is committed with a value, and no secret-looking setting has a literal value', () => {
    for (const secret of ofKind('Secret')) {
      expect(Object.keys(secret.data ?? {}), describeObject(secret)).toEqual([]);
      expect(Object.keys(secret.stringData ?? {}), describeObject(secret)).toEqual([]);
    }
    for (const map of ofKind('ConfigMap')) {
      for (const key of Object.keys(map.data ?? {})) expect(key, `${describeObject(map)} key ${key}`).not.toMatch(SECRET_NAME);
    }
    for (const { object, podSpec } of allPods) {
      for (const container of containersOf(podSpec)) {
        for (const variable of container.env ?? []) {
          if (!SECRET_NAME.test(variable.name)) continue;
          expect(variable.valueFrom?.secretKeyRef, `${describeObject(object)} env ${variable.name}`).toBeDefined();
        }
      }
    }
  });

  it('every Secret the manifests reference is documented in the runbook, and apply.sh checks the required ones', () => {
    const runbook = readFileSync(join(DEPLOY_DIR, 'README.md'), 'utf8');
    const applyScript = readFileSync(join(DEPLOY_DIR, 'apply.sh'), 'utf8');
    const checked = applyScript.match(/for secret in ([^;]+); do/)?.[1]?.trim().split(/\s+/) ?? [];
    const required = new Set<string>();
    const referenced = new Set<string>();
    for (const { podSpec } of allPods) {
      for (const container of containersOf(podSpec)) {
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (!ref) continue;
          referenced.add(ref.name);
          if (!ref.optional) required.add(ref.name);
        }
        for (const source of container.envFrom ?? []) if (source.secretRef) referenced.add(source.secretRef.name);
      }
    }
    for (const cluster of ofKind('Cluster')) {
      for (const role of cluster.spec.managed?.roles ?? []) if (role.passwordSecret) required.add(role.passwordSecret.name);
    }
    for (const ingress of ofKind('Ingress')) for (const tls of ingress.spec.tls ?? []) referenced.add(tls.secretName);
    for (const name of [...referenced, ...required]) expect(runbook, `runbook mentions Secret ${name}`).toContain(`\`${name}\``);
    // gateway-auth is optional key by key, but the gateway needs at least one of them.
    expect(new Set(checked)).toEqual(new Set([...required, 'gateway-auth']));
  });

  it('subgraphs get their database from their own role, and shut down within the grace period', () => {
    for (const subgraph of SUBGRAPHS) {
      const deployment = named('Deployment', subgraph)!;
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      const env = Object.fromEntries(container.env.map((v: any) => [v.name, v]));
      expect(env.DATABASE_URL.value).toBe(`postgres://$(DB_USER):$(DB_PASSWORD)@switchboard-pg-rw:5432/${subgraph}`);
      expect(env.DB_PASSWORD.valueFrom.secretKeyRef.name).toBe(`${subgraph}-db`);
      const configName = container.envFrom.find((s: any) => s.configMapRef)!.configMapRef.name;
      const config = named('ConfigMap', configName)!.data!;
      expect(config.NODE_ENV).toBe('production');
      expect(config.NATS_URL).toMatch(/^nats:\/\//);
      const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
      expect(Number(config.SHUTDOWN_TIMEOUT_MS) / 1000 + preStopSeconds).toBeLessThan(pod.terminationGracePeriodSeconds);
      expect(container.args).toEqual([subgraph]);
      expect(named('Job', `${subgraph}-migrate`)!.spec.template.spec.containers[0].args).toEqual([`migrate-${subgraph}`]);
    }
  });

  it('every referenced ConfigMap exists and every Service selects pods with the port it targets', () => {
    for (const { object, podSpec } of allPods) {
      for (const volume of podSpec.volumes ?? []) {
        if (volume.configMap) expect(named('ConfigMap', volume.configMap.name), `${describeObject(object)} volume`).toBeDefined();
      }
      for (const container of containersOf(podSpec)) {
        for (const source of container.envFrom ?? []) {
          if (source.configMapRef) expect(named('ConfigMap', source.configMapRef.name), describeObject(object)).toBeDefined();
        }
      }
    }
    for (const service of ofKind('Service')) {
      const backends = workloads.filter(({ podLabels }) => selects({ matchLabels: service.spec.selector }, podLabels));
      expect(backends, describeObject(service)).toHaveLength(1);
      const ports = containersOf(backends[0]!.podSpec).flatMap((c) => c.ports ?? []);
      for (const port of service.spec.ports) {
        expect(ports.some((p: any) => p.name === port.targetPort || p.containerPort === port.targetPort), `${describeObject(service)} ${port.name}`).toBe(true);
      }
    }
  });

  it('the gateway serves the supergraph from a ConfigMap directory mount (so updates reach it)', () => {
    const pod = named('Deployment', 'gateway')!.spec.template.spec;
    const config = named('ConfigMap', pod.containers[0].envFrom[0].configMapRef.name)!.data!;
    const volume = pod.volumes.find((v: any) => v.configMap?.name === 'gateway-supergraph');
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === volume.name);
    expect(mount.subPath).toBeUndefined();
    expect(config.SUPERGRAPH_PATH).toBe(`${mount.mountPath}/supergraph.graphql`);
    const supergraph = named('ConfigMap', 'gateway-supergraph')!.data!['supergraph.graphql'];
    expect(supergraph).toBe(readFileSync(join(DEPLOY_DIR, '../../supergraph.graphql'), 'utf8'));
    for (const subgraph of SUBGRAPHS) {
      const port = named('Service', subgraph)!.spec.ports[0].port;
      expect(config[`${subgraph.toUpperCase()}_URL`]).toBe(`http://${subgraph}:${port}`);
    }
  });

  it('Prometheus scrapes every service on its own port', () => {
    for (const service of SERVICES) {
      const template = named('Deployment', service)!.spec.template;
      const annotations = template.metadata.annotations;
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/path']).toBe('/metrics');
      expect(Number(annotations['prometheus.io/port'])).toBe(template.spec.containers[0].ports[0].containerPort);
    }
  });

  it('the Ingress sends GraphQL and the console to the gateway and each legacy REST path to its subgraph', () => {
    const [ingress] = ofKind('Ingress');
    const routes = Object.fromEntries(
      ingress!.spec.rules.flatMap((rule: any) => rule.http.paths.map((p: any) => [p.path, p.backend.service.name])),
    );
    expect(routes).toEqual(LEGACY_ROUTES);
    for (const path of ingress!.spec.rules[0].http.paths) {
      const service = named('Service', path.backend.service.name)!;
      expect(service.spec.ports.map((p: any) => p.name)).toContain(path.backend.service.port.name);
    }
  });

  it('network policies deny by default and let only the gateway (and the ingress controller) reach the subgraphs', () => {
    const policies = ofKind('NetworkPolicy');
    const defaultDeny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress);
    expect(defaultDeny, 'a default-deny ingress policy').toBeDefined();
    for (const policy of policies) {
      for (const rule of policy.spec.ingress ?? []) {
        expect(rule.from?.length, `${describeObject(policy)}: a rule without "from" admits everyone`).toBeGreaterThan(0);
      }
    }
    const gatewayLabels = named('Deployment', 'gateway')!.spec.template.metadata.labels;
    const natsLabels = named('StatefulSet', 'nats')!.spec.template.metadata.labels;
    for (const subgraph of SUBGRAPHS) {
      const podLabels = named('Deployment', subgraph)!.spec.template.metadata.labels;
      const sources = policies
        .filter((p) => p.spec.ingress && selects(p.spec.podSelector, podLabels))
        .flatMap((p) => p.spec.ingress.flatMap((rule: any) => rule.from));
      const podSources = sources.filter((s: any) => s.podSelector && !s.namespaceSelector);
      const namespaceSources = sources.filter((s: any) => s.namespaceSelector).map((s: any) => s.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
      expect(podSources.every((s: any) => selects(s.podSelector, gatewayLabels)), `${subgraph}: pods allowed in`).toBe(true);
      expect(podSources.some((s: any) => selects(s.podSelector, natsLabels)), `${subgraph}: NATS cannot call it`).toBe(false);
      expect(podSources.some((s: any) => selects(s.podSelector, podLabels)), `${subgraph}: other subgraphs cannot call it`).toBe(false);
      expect(namespaceSources.sort(), subgraph).toEqual(['ingress-nginx', 'monitoring']);
    }
  });

  it('deploy/k8s/apply.sh applies the infrastructure, then the migrations, then the services', () => {
    const applyScript = readFileSync(join(DEPLOY_DIR, 'apply.sh'), 'utf8');
    const phases = [...applyScript.matchAll(/apply_phase '([^']+)'/g)].map((m) => m[1]!);
    expect(phases).toHaveLength(3);
    const phaseOf = (object: K8sObject) => {
      const matching = phases.filter((selector) => labelSelectorMatches(selector, object.metadata.labels ?? {}));
      expect(matching.length, `${describeObject(object)} is applied by exactly one early phase or only at the end`).toBeLessThanOrEqual(1);
      return matching[0] === undefined ? 'last' : phases.indexOf(matching[0]);
    };
    expect(phaseOf(ofKind('Namespace')[0]!)).toBe(0);
    expect(phaseOf(named('StatefulSet', 'nats')!)).toBe(1);
    expect(phaseOf(named('Cluster', 'switchboard-pg')!)).toBe(1);
    for (const job of ofKind('Job')) {
      expect(phaseOf(job)).toBe(2);
      expect(phaseOf(named('ServiceAccount', job.spec.template.spec.serviceAccountName)!), 'the Job can use its account').toBe(2);
    }
    for (const deployment of deployments) expect(phaseOf(deployment), describeObject(deployment)).toBe('last');
  });

  if (overlay === 'prod') {
    it('prod: at least two pods per service, scaled by an HPA', () => {
      const autoscalers = ofKind('HorizontalPodAutoscaler');
      for (const deployment of deployments) {
        const hpa = autoscalers.find((h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === deployment.metadata.name);
        expect(hpa, `${describeObject(deployment)} has an HPA`).toBeDefined();
        expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
        expect(hpa!.spec.maxReplicas).toBeGreaterThan(hpa!.spec.minReplicas);
        // The HPA owns the count; a literal replicas field would reset it on every apply.
        expect(deployment.spec.replicas, describeObject(deployment)).toBeUndefined();
      }
      expect(named('Cluster', 'switchboard-pg')!.spec.instances).toBeGreaterThanOrEqual(3);
    });

    it('prod: every image is pinned to a version', () => {
      for (const { object, podSpec } of allPods) {
        for (const container of containersOf(podSpec)) {
          expect(container.image, describeObject(object)).toMatch(/^[^:@]+(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/);
          expect(container.image, describeObject(object)).not.toMatch(/:latest$/);
        }
      }
    });
  } else {
    it(`${overlay}: one pod per service, no autoscaling`, () => {
      for (const deployment of deployments) expect(deployment.spec.replicas, describeObject(deployment)).toBe(1);
      expect(ofKind('HorizontalPodAutoscaler')).toEqual([]);
    });
  }
});

/** The subset of kubectl's label selector syntax apply.sh uses: `k=v`, `k in (a,b)`, `k notin (a,b)`. */
function labelSelectorMatches(selector: string, labels: Record<string, string>): boolean {
  const equality = selector.match(/^([\w./-]+)=([\w.-]+)$/);
  if (equality) return labels[equality[1]!] === equality[2];
  const set = selector.match(/^([\w./-]+) (in|notin) \(([^)]*)\)$/);
  if (!set) throw new Error(`unsupported selector in apply.sh: ${selector}`);
  const values = set[3]!.split(',').map((v) => v.trim());
  const value = labels[set[1]!];
  return set[2] === 'in' ? value !== undefined && values.includes(value) : value === undefined || !values.includes(value);
}
