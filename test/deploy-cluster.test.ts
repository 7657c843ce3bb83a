import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@casefile/collector';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './lib/collector-process.js';

/**
 * The cluster deployment files hold together: the compose file and the Kubernetes manifests parse, the
 * ClickHouse cluster config names exactly the servers they start (2 shards × 2 replicas, each with its own
 * shard and a replica name unique in the cluster), ZooKeeper is one of them, and the collectors' settings
 * pass the collector's own configuration schema and name that cluster and a server of it.
 */
const DEPLOY = join(REPO_ROOT, 'deploy');
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked by the paths each check names
type Doc = Record<string, any>;

/** The first cluster of a remote_servers section: its name and its shards' hosts. */
function clusterOf(xml: string): { name: string; shards: string[][]; zookeeper: string[] } {
  const servers = /<remote_servers>([\s\S]*?)<\/remote_servers>/.exec(xml)?.[1] ?? '';
  const name = /<(\w+)>/.exec(servers)?.[1] ?? '';
  const shards = [...servers.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) =>
    [...(m[1] as string).matchAll(/<host>([^<]+)<\/host>/g)].map((h) => h[1] as string),
  );
  const keeper = /<zookeeper>([\s\S]*?)<\/zookeeper>/.exec(xml)?.[1] ?? '';
  const zookeeper = [...keeper.matchAll(/<host>([^<]+)<\/host>/g)].map((h) => h[1] as string);
  return { name, shards, zookeeper };
}

const collectorConfig = (env: Record<string, string>) =>
  loadConfig({
    ...env,
    // The secrets a deployment supplies from outside.
    CASEFILE_BOOTSTRAP_INGEST_KEY: 'cf_ingest_0123456789abcdef',
    CASEFILE_BOOTSTRAP_ADMIN_TOKEN: 'cf_login_0123456789abcdef',
    CASEFILE_REDACTION_KEY: '0123456789abcdef0123',
  });

describe('cluster deployment: compose', () => {
  const compose = parse(readFileSync(join(DEPLOY, 'cluster/compose.yaml'), 'utf8'), { merge: true }) as Doc;
  const services = compose.services as Record<string, Doc>;
  const xml = readFileSync(join(DEPLOY, 'cluster/clickhouse-cluster.xml'), 'utf8');
  const cluster = clusterOf(xml);
  const clickhouse = Object.entries(services).filter(([, s]) => String(s.image).startsWith('clickhouse/'));

  it('starts ZooKeeper, 2 shards × 2 replicas and the collectors', () => {
    expect(cluster.shards).toHaveLength(2);
    expect(cluster.shards.map((s) => s.length)).toEqual([2, 2]);
    expect(clickhouse.map(([name]) => name).sort()).toEqual(cluster.shards.flat().sort());
    for (const host of cluster.zookeeper) expect(Object.keys(services)).toContain(host);
    expect(services.collector?.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('gives each server the shard it is listed under and a replica name unique in the cluster', () => {
    const replicas = new Set<string>();
    for (const [name, service] of clickhouse) {
      const shard = Number(service.environment.CLICKHOUSE_SHARD);
      expect(cluster.shards[shard]).toContain(name);
      replicas.add(service.environment.CLICKHOUSE_REPLICA);
      const mounts = (service.volumes as string[]).map((v) => v.split(':'));
      const config = mounts.find(([, target]) => target?.startsWith('/etc/clickhouse-server/config.d/'));
      expect(existsSync(join(DEPLOY, 'cluster', config?.[0] as string))).toBe(true);
      expect(mounts.some(([, target]) => target === '/var/lib/clickhouse')).toBe(true);
    }
    expect(replicas.size).toBe(clickhouse.length);
    expect(xml).toMatch(/<shard from_env="CLICKHOUSE_SHARD"\/>/);
    expect(xml).toMatch(/<replica from_env="CLICKHOUSE_REPLICA"\/>/);
  });

  it('runs collectors whose settings pass the collector schema and name that cluster', () => {
    const env = Object.fromEntries(
      Object.entries(services.collector?.environment as Record<string, string>).filter(([, v]) => !v.startsWith('${')),
    );
    const config = collectorConfig(env);
    expect(config.store).toBe('clickhouse');
    expect(config.clickhouseCluster).toBe(cluster.name);
    expect(config.clickhouseInsertQuorum).toBeLessThanOrEqual(2);
    expect(cluster.shards.flat()).toContain(new URL(config.clickhouseUrl as string).hostname);
  });
});

describe('cluster deployment: Kubernetes', () => {
  const docs = parseAllDocuments(readFileSync(join(DEPLOY, 'kubernetes/casefile-cluster.yaml'), 'utf8')).map(
    (d) => d.toJS() as Doc,
  );
  const of = (kind: string) => docs.filter((d) => d.kind === kind);
  const named = (kind: string, name: string) => of(kind).find((d) => d.metadata.name === name);

  it('parses into well-formed objects in one namespace', () => {
    expect(docs.length).toBeGreaterThan(5);
    for (const doc of docs) {
      expect(doc.apiVersion, JSON.stringify(doc).slice(0, 80)).toMatch(/^(v1|apps\/v1)$/);
      expect(doc.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace).toBe('casefile');
    }
    for (const workload of [...of('StatefulSet'), ...of('Deployment')]) {
      const labels = workload.spec.template.metadata.labels;
      expect(labels).toMatchObject(workload.spec.selector.matchLabels);
    }
  });

  it('lists every ClickHouse pod in the cluster config under its own shard, with ZooKeeper beside them', () => {
    const xml = named('ConfigMap', 'clickhouse-cluster')?.data['casefile-cluster.xml'] as string;
    const cluster = clusterOf(xml);
    const pods: string[][] = [];
    const zookeeper = named('StatefulSet', 'zookeeper') as Doc;
    for (const set of of('StatefulSet')) {
      const service = named('Service', set.spec.serviceName);
      expect(service?.spec.clusterIP).toBe('None');
      const hosts = Array.from(
        { length: set.spec.replicas },
        (_, i) => `${set.metadata.name}-${i}.${set.spec.serviceName}.casefile.svc.cluster.local`,
      );
      if (set === zookeeper) {
        expect(hosts).toEqual(expect.arrayContaining(cluster.zookeeper));
        continue;
      }
      const env = set.spec.template.spec.containers[0].env as Doc[];
      const shard = Number(env.find((e) => e.name === 'CLICKHOUSE_SHARD')?.value);
      expect(env.find((e) => e.name === 'CLICKHOUSE_REPLICA')?.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
      pods[shard] = hosts;
    }
    expect(cluster.shards).toEqual(pods);
    expect(cluster.shards.flat()).toHaveLength(4);
  });

  it('runs N collectors whose settings pass the collector schema and reach the cluster through a Service', () => {
    const deployment = named('Deployment', 'casefile-collector') as Doc;
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const container = deployment.spec.template.spec.containers[0];
    const configMap = named('ConfigMap', container.envFrom[0].configMapRef.name) as Doc;
    const config = collectorConfig(configMap.data);
    const cluster = clusterOf(named('ConfigMap', 'clickhouse-cluster')?.data['casefile-cluster.xml'] as string);
    expect(config.clickhouseCluster).toBe(cluster.name);
    const host = new URL(config.clickhouseUrl as string).hostname.split('.')[0] as string;
    const service = named('Service', host) as Doc;
    expect(service.spec.selector['app.kubernetes.io/name']).toBe('clickhouse');
  });
});
