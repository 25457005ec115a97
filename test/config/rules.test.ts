/**
 * Every msm rule: one config it accepts and one it refuses, with the field
 * path the refusal must name. Field rules (schema.ts) and cross-field rules
 * (rules.ts) alike.
 */
import { describe, expect, it } from 'vitest';
import { crossFieldRules } from '../../src/config/rules';
import { accept, DEFAULT_CONFIG, patch, refuse, STICKY_CONFIG } from '../helpers';

interface Case {
  rule: string;
  base?: unknown;
  ok: unknown;
  bad: unknown;
  path: string;
  says?: RegExp;
}

const twoTomcats = (a: object, b: object) => ({ tomcat: { nodes: [{ name: 'tomcat-node1', ...a }, { name: 'tomcat-node2', ...b }] } });
const mc = (...nodes: object[]) => ({ memcached: { nodes } });
/** The default lab with Redis as its store instead of memcached. */
const REDIS_CONFIG = patch(DEFAULT_CONFIG, { memcached: undefined, redis: { name: 'redis-node1', port: 6379 } });
const KUBE_CONFIG = patch(DEFAULT_CONFIG, { engine: { kind: 'kubernetes' }, network: { subnet: '10.96.57.0/24' } });

const cases: Case[] = [
  // --- field rules ---
  { rule: 'tomcat-version', ok: { tomcat: { version: '8.5', javaVersion: 8 } }, bad: { tomcat: { version: '6' } }, path: 'tomcat.version', says: /"7", "8.5", "9"/ },
  { rule: 'tomcat-jakarta', ok: { tomcat: { version: '10.1', javaVersion: 11 } }, bad: { tomcat: { version: '10.0' } }, path: 'tomcat.version', says: /10\.1" or "11"/ },
  { rule: 'tomcat-release-not-major', ok: { tomcat: { version: '11', javaVersion: 17 } }, bad: { tomcat: { version: '11.0.24' } }, path: 'tomcat.version', says: /use "11"/ },
  { rule: 'tomcat-min-java', ok: { tomcat: { version: '11', javaVersion: 21 } }, bad: { tomcat: { version: '11', javaVersion: 11 } }, path: 'tomcat.javaVersion', says: /Tomcat 11 needs Java 17/ },
  { rule: 'java-version', ok: { tomcat: { javaVersion: 21 } }, bad: { tomcat: { javaVersion: 9 } }, path: 'tomcat.javaVersion', says: /8, 11, 17, 21/ },
  { rule: 'memcached-id-word', ok: mc({ id: 'n_1', name: 'm1' }), bad: mc({ id: 'node-1', name: 'm1' }), path: 'memcached.nodes[0].id', says: /\\w\+/ },
  { rule: 'memcached-host-no-colon', ok: mc({ id: 'a', name: 'm1', host: '10.0.0.5' }), bad: mc({ id: 'a', name: 'm1', host: '::1' }), path: 'memcached.nodes[0].host', says: /IPv6/ },
  { rule: 'memcached-host-no-space', ok: mc({ id: 'a', name: 'm1', host: 'cache.local' }), bad: mc({ id: 'a', name: 'm1', host: 'a b' }), path: 'memcached.nodes[0].host' },
  { rule: 'port-range', ok: mc({ id: 'a', name: 'm1', port: 65535 }), bad: mc({ id: 'a', name: 'm1', port: 70000 }), path: 'memcached.nodes[0].port', says: /1 and 65535/ },
  { rule: 'port-integer', ok: { loadBalancer: { port: 1 } }, bad: { loadBalancer: { port: 80.5 } }, path: 'loadBalancer.port' },
  { rule: 'memcached-at-least-one', ok: mc({ id: 'a', name: 'm1' }), bad: mc(), path: 'memcached.nodes', says: /at least one/ },
  { rule: 'tomcat-at-least-one', ok: { tomcat: { nodes: [{ name: 't1' }] } }, bad: { tomcat: { nodes: [] } }, path: 'tomcat.nodes' },
  { rule: 'locking-mode-values', ok: { manager: { lockingMode: 'uriPattern:/cart/.*' } }, bad: { manager: { lockingMode: 'sometimes' } }, path: 'manager.lockingMode', says: /none, all, auto/ },
  { rule: 'locking-uri-pattern-compiles', ok: { manager: { lockingMode: 'all' } }, bad: { manager: { lockingMode: 'uriPattern:(' } }, path: 'manager.lockingMode', says: /compile/ },
  { rule: 'jvm-route-chars', base: STICKY_CONFIG, ok: twoTomcats({ jvmRoute: 'a_1' }, { jvmRoute: 'b-2' }), bad: twoTomcats({ jvmRoute: 'node.1' }, { jvmRoute: 'b' }), path: 'tomcat.nodes[0].jvmRoute', says: /dot/ },
  { rule: 'request-uri-ignore-compiles', ok: { manager: { requestUriIgnorePattern: '.*\\.css$' } }, bad: { manager: { requestUriIgnorePattern: '.*\\.(css' } }, path: 'manager.requestUriIgnorePattern', says: /regular expression/ },
  { rule: 'request-uri-ignore-method-form', ok: { manager: { requestUriIgnorePattern: '.*/static/.*' } }, bad: { manager: { requestUriIgnorePattern: '^/static/.*' } }, path: 'manager.requestUriIgnorePattern', says: /METHOD URI/ },
  { rule: 'request-uri-ignore-leading-slash', ok: { manager: { requestUriIgnorePattern: 'GET /a' } }, bad: { manager: { requestUriIgnorePattern: '/static/.*' } }, path: 'manager.requestUriIgnorePattern' },
  { rule: 'attribute-filter-compiles', ok: { manager: { sessionAttributeFilter: '^(user|cart)$' } }, bad: { manager: { sessionAttributeFilter: '[' } }, path: 'manager.sessionAttributeFilter' },
  { rule: 'storage-key-prefix', ok: { manager: { storageKeyPrefix: 'static:app,context.hash,host' } }, bad: { manager: { storageKeyPrefix: 'context,hostname' } }, path: 'manager.storageKeyPrefix', says: /webappVersion/ },
  { rule: 'protocol-values', ok: { manager: { memcachedProtocol: 'binary' } }, bad: { manager: { memcachedProtocol: 'udp' } }, path: 'manager.memcachedProtocol' },
  { rule: 'positive-operation-timeout', ok: { manager: { operationTimeout: 2000 } }, bad: { manager: { operationTimeout: 0 } }, path: 'manager.operationTimeout', says: /positive/ },
  { rule: 'positive-lock-expiration', ok: { manager: { lockExpiration: 10 } }, bad: { manager: { lockExpiration: -1 } }, path: 'manager.lockExpiration' },
  { rule: 'positive-backup-timeout', ok: { manager: { sessionBackupTimeout: 200 } }, bad: { manager: { sessionBackupTimeout: 0 } }, path: 'manager.sessionBackupTimeout' },
  { rule: 'positive-thread-count', ok: { manager: { sessionBackupAsync: true, sessionBackupTimeout: undefined, backupThreadCount: 2 } }, bad: { manager: { sessionBackupAsync: true, backupThreadCount: 1.5 } }, path: 'manager.backupThreadCount' },
  { rule: 'serializer-values', ok: { manager: { serializer: 'xstream' } }, bad: { manager: { serializer: 'protobuf' } }, path: 'manager.serializer' },
  { rule: 'container-name-safe', ok: { loadBalancer: { name: 'lb-1' } }, bad: { loadBalancer: { name: 'lb"/><x' } }, path: 'loadBalancer.name', says: /DNS label/ },
  { rule: 'tomcat-name-safe', ok: { tomcat: { nodes: [{ name: 'app1' }] } }, bad: { tomcat: { nodes: [{ name: 'App 1;' }] } }, path: 'tomcat.nodes[0].name' },
  { rule: 'bind-address', ok: { loadBalancer: { bindAddress: '0.0.0.0' } }, bad: { loadBalancer: { bindAddress: 'localhost' } }, path: 'loadBalancer.bindAddress' },
  { rule: 'subnet', ok: { network: { subnet: '10.77.0.0/16' } }, bad: { network: { subnet: '10.77.0.0/30' } }, path: 'network.subnet', says: /\/16 to \/26/ },
  { rule: 'docker-host', ok: { docker: { host: 'tcp://127.0.0.1:2375' } }, bad: { docker: { host: '/var/run/docker.sock' } }, path: 'docker.host', says: /unix:\/\/\// },
  { rule: 'image-reference', ok: { images: { tomcat: 'registry.local:5000/team/tomcat:9.0-jre17' } }, bad: { images: { tomcat: 'Tomcat:latest' } }, path: 'images.tomcat' },
  // --- cross-field rules (rules.ts) ---
  { rule: 'memcached-ids-unique', ok: mc({ id: 'a', name: 'm1' }, { id: 'b', name: 'm2' }), bad: mc({ id: 'a', name: 'm1' }, { id: 'a', name: 'm2' }), path: 'memcached.nodes[1].id', says: /twice/ },
  { rule: 'memcached-endpoints-unique', ok: mc({ id: 'a', name: 'm1', host: '10.0.0.5' }, { id: 'b', name: 'm2', host: '10.0.0.5', port: 11212 }), bad: mc({ id: 'a', name: 'm1', host: '10.0.0.5' }, { id: 'b', name: 'm2', host: '10.0.0.5' }), path: 'memcached.nodes[1].port' },
  { rule: 'container-names-unique', ok: { loadBalancer: { name: 'lb' } }, bad: { loadBalancer: { name: 'tomcat-node1' } }, path: 'loadBalancer.name' },
  { rule: 'failover-nodes-known', base: STICKY_CONFIG, ok: { manager: { failoverNodes: ['mnode1'] } }, bad: { manager: { failoverNodes: ['mem-node2'] } }, path: 'manager.failoverNodes[0]', says: /mnode1, mnode2/ },
  { rule: 'failover-needs-two-nodes', base: STICKY_CONFIG, ok: { manager: { failoverNodes: ['mnode2'] } }, bad: { ...mc({ id: 'mnode1', name: 'm1' }), manager: { failoverNodes: ['mnode1'] } }, path: 'manager.failoverNodes' },
  { rule: 'failover-not-all', base: STICKY_CONFIG, ok: { manager: { failoverNodes: ['mnode1'] } }, bad: { manager: { failoverNodes: ['mnode1', 'mnode2'] } }, path: 'manager.failoverNodes', says: /none for sessions/ },
  { rule: 'failover-sticky-only', ok: { manager: { failoverNodes: undefined } }, bad: { manager: { failoverNodes: ['mnode2'] } }, path: 'manager.failoverNodes', says: /sticky/ },
  { rule: 'locking-non-sticky-only', base: STICKY_CONFIG, ok: { manager: { lockingMode: undefined } }, bad: { manager: { lockingMode: 'auto' } }, path: 'manager.lockingMode', says: /ignores/ },
  { rule: 'jvm-route-sticky', base: STICKY_CONFIG, ok: twoTomcats({ jvmRoute: 'a' }, { jvmRoute: 'b' }), bad: twoTomcats({ jvmRoute: 'a' }, {}), path: 'tomcat.nodes[1].jvmRoute', says: /needs a jvmRoute/ },
  { rule: 'jvm-route-non-sticky', ok: twoTomcats({}, {}), bad: twoTomcats({ jvmRoute: 'a' }, {}), path: 'tomcat.nodes[0].jvmRoute', says: /non-sticky/ },
  { rule: 'jvm-routes-unique', base: STICKY_CONFIG, ok: twoTomcats({ jvmRoute: 'a' }, { jvmRoute: 'b' }), bad: twoTomcats({ jvmRoute: 'a' }, { jvmRoute: 'a' }), path: 'tomcat.nodes[1].jvmRoute' },
  { rule: 'sasl-binary-only', ok: { manager: { memcachedProtocol: 'binary', username: 'u', password: 'p' } }, bad: { manager: { username: 'u', password: 'p' } }, path: 'manager.username', says: /binary/ },
  { rule: 'sasl-both', ok: { manager: { memcachedProtocol: 'binary', username: 'u', password: 'p' } }, bad: { manager: { memcachedProtocol: 'binary', username: 'u' } }, path: 'manager.password' },
  { rule: 'serializer-options', base: patch(DEFAULT_CONFIG, { tomcat: { javaVersion: 8 } }), ok: { manager: { serializer: 'kryo', copyCollectionsForSerialization: true } }, bad: { manager: { copyCollectionsForSerialization: true } }, path: 'manager.copyCollectionsForSerialization' },
  { rule: 'serializer-options', base: patch(DEFAULT_CONFIG, { tomcat: { javaVersion: 8 } }), ok: { manager: { serializer: 'kryo', customConverter: 'a.B' } }, bad: { manager: { serializer: 'xstream', customConverter: 'a.B' } }, path: 'manager.customConverter' },
  { rule: 'flexjson-unpublished', ok: { manager: { serializer: 'xstream' } }, bad: { manager: { serializer: 'flexjson' } }, path: 'manager.serializer', says: /1\.8\.3/ },
  { rule: 'backup-timeout-sync-only', ok: { manager: { sessionBackupTimeout: 100 } }, bad: { manager: { sessionBackupAsync: true, sessionBackupTimeout: 100 } }, path: 'manager.sessionBackupTimeout' },
  { rule: 'https-port-distinct', ok: { loadBalancer: { tls: 'self-signed', port: 8080, httpsPort: 8443 } }, bad: { loadBalancer: { tls: 'self-signed', port: 8080, httpsPort: 8080 } }, path: 'loadBalancer.httpsPort', says: /same as port/ },
  { rule: 'tls-shape', ok: { loadBalancer: { tls: 'self-signed' } }, bad: { loadBalancer: { tls: 'yes' } }, path: 'loadBalancer.tls', says: /self-signed/ },
  { rule: 'backup-threads-async-only', ok: { manager: { sessionBackupAsync: true, sessionBackupTimeout: undefined, backupThreadCount: 2 } }, bad: { manager: { backupThreadCount: 2 } }, path: 'manager.backupThreadCount' },
  // --- the user's webapps (issue 9) ---
  { rule: 'webapp-context-paths-unique', ok: { webapps: [{ contextPath: '/', source: 'msm-kit:sample' }] }, bad: { webapps: [{ contextPath: '/shop', source: 'msm-kit:sample' }, { contextPath: '/shop', source: './shop.war' }] }, path: 'webapps[1].contextPath', says: /own contextPath.*\(got "\/shop"\)/ },
  { rule: 'webapp-context-paths-unique', ok: { webapps: [{ contextPath: '/Shop', source: 'msm-kit:sample' }] }, bad: { webapps: [{ contextPath: '/Shop', source: 'msm-kit:sample' }, { contextPath: '/shop', source: './shop.war' }] }, path: 'webapps[1].contextPath', says: /case/ },
  { rule: 'webapp-probe-path-free', ok: { webapps: [{ contextPath: '/shop', source: './test/fixtures/shop/web' }] }, bad: { webapps: [{ contextPath: '/MSM-KIT', source: './test/fixtures/shop/web' }] }, path: 'webapps[0].contextPath', says: /\/msm-kit is where the kit puts its sample app.*Fix: move your app/ },
  { rule: 'webapp-probe-path-free', ok: { webapps: [{ contextPath: '/', source: 'msm-kit:sample' }] }, bad: { webapps: [{ contextPath: '/', source: 'msm-kit:sample' }, { contextPath: '/b', source: 'msm-kit:sample' }] }, path: 'webapps[1].source', says: /twice/ },
  { rule: 'webapp-context-path-format', ok: { webapps: [{ contextPath: '/a/b.c', source: 'msm-kit:sample' }] }, bad: { webapps: [{ contextPath: '/shop/', source: 'msm-kit:sample' }] }, path: 'webapps[0].contextPath', says: /Fix: e\.g\. "\/shop"/ },
  { rule: 'webapp-context-path-format', ok: { webapps: [{ contextPath: '/', source: 'msm-kit:sample' }] }, bad: { webapps: [{ contextPath: '/../x', source: 'msm-kit:sample' }] }, path: 'webapps[0].contextPath' },
  { rule: 'webapp-context-path-root', ok: { webapps: [{ contextPath: '/rooty', source: 'msm-kit:sample' }] }, bad: { webapps: [{ contextPath: '/ROOT', source: 'msm-kit:sample' }] }, path: 'webapps[0].contextPath', says: /ROOT/ },
  { rule: 'placement-names-nodes', ok: { engine: { kind: 'swarm', placement: { 'tomcat-node2': 'host1', nginx: 'host3' } } }, bad: { engine: { kind: 'swarm', placement: { 'tomcat-nod2': 'host1' } } }, path: 'engine.placement.tomcat-nod2', says: /tomcat-node2/ },
  { rule: 'placement-names-nodes', base: KUBE_CONFIG, ok: { engine: { kind: 'kubernetes', placement: { 'tomcat-node2': 'node1' } } }, bad: { engine: { kind: 'kubernetes', placement: { 'tomcat-nod2': 'node1' } } }, path: 'engine.placement.tomcat-nod2', says: /tomcat-node2/ },
  // --- Kubernetes (issue 24) ---
  { rule: 'kubernetes-names', base: KUBE_CONFIG, ok: { loadBalancer: { name: 'lb-1' } }, bad: { loadBalancer: { name: '1-lb' } }, path: 'loadBalancer.name', says: /starting with a letter.*Fix/ },
  { rule: 'kubernetes-names', base: KUBE_CONFIG, ok: { name: 'shop-lab' }, bad: { name: '2shop' }, path: 'name', says: /namespace.*Fix/ },
  { rule: 'kubernetes-subnet-in-service-range', base: KUBE_CONFIG, ok: { network: { subnet: '10.96.200.0/24' } }, bad: { network: { subnet: '172.28.57.0/24' } }, path: 'network.subnet', says: /10\.96\.0\.0\/16.*Fix: .*"10\.96\.57\.0\/24"/ },
  { rule: 'kubernetes-memcached-host-is-name', base: KUBE_CONFIG, ok: mc({ id: 'a', name: 'm1', host: 'm1' }), bad: mc({ id: 'a', name: 'm1', host: 'cache1' }), path: 'memcached.nodes[0].host', says: /Service "m1"/ },
  { rule: 'kubernetes-not-yet', base: KUBE_CONFIG, ok: { monitoring: { enabled: false } }, bad: { monitoring: { enabled: true } }, path: 'monitoring.enabled', says: /Kubernetes.*Fix/ },
  { rule: 'kubernetes-not-yet', base: KUBE_CONFIG, ok: {}, bad: { loadBalancer: { tls: 'self-signed' } }, path: 'loadBalancer.tls', says: /TLS.*Fix/ },
  // --- hostile and careless input (issue 12) ---
  { rule: 'manager-values-tomcat-safe', ok: { manager: { sessionAttributeFilter: '^(user|cart)\t$' } }, bad: { manager: { sessionAttributeFilter: '^user\u0001$' } }, path: 'manager.sessionAttributeFilter', says: /U\+0001.*XML 1\.0/ },
  { rule: 'manager-values-tomcat-safe', ok: { manager: { memcachedProtocol: 'binary', username: 'u', password: '$ {x}' } }, bad: { manager: { memcachedProtocol: 'binary', username: 'u', password: 'a${java.home}' } }, path: 'manager.password', says: /"\$\{".*\(got \*\*\*\)/ },
  { rule: 'enabled-sticky-only', base: STICKY_CONFIG, ok: { manager: { enabled: false } }, bad: { manager: { sticky: false, failoverNodes: undefined, enabled: false }, tomcat: { nodes: [{ name: 'tomcat-node1' }, { name: 'tomcat-node2' }] } }, path: 'manager.enabled', says: /non-sticky/ },
  { rule: 'memcached-host-distinct', ok: mc({ id: 'a', name: 'm1', host: 'm1' }, { id: 'b', name: 'm2', host: 'cache-b' }), bad: mc({ id: 'a', name: 'm1', host: 'tomcat-node1' }), path: 'memcached.nodes[0].host', says: /Tomcat node tomcat-node1/ },
  { rule: 'memcached-host-distinct', ok: mc({ id: 'a', name: 'm1', host: '10.1.2.3' }), bad: mc({ id: 'a', name: 'm1', host: 'LocalHost' }), path: 'memcached.nodes[0].host', says: /Tomcat itself/ },
  { rule: 'memcached-host-distinct', ok: mc({ id: 'a', name: 'm1' }), bad: mc({ id: 'a', name: 'm1', host: '127.0.0.1' }), path: 'memcached.nodes[0].host' },
  { rule: 'memcached-host-distinct', ok: mc({ id: 'a', name: 'm1' }, { id: 'b', name: 'm2' }), bad: mc({ id: 'a', name: 'm1', host: 'M2' }, { id: 'b', name: 'm2' }), path: 'memcached.nodes[0].host', says: /memcached node b/ },
  { rule: 'memcached-host-distinct', ok: mc({ id: 'a', name: 'm1', host: 'cache' }, { id: 'b', name: 'm2', host: 'cache2' }), bad: mc({ id: 'a', name: 'm1', host: 'cache' }, { id: 'b', name: 'm2', host: 'cache', port: 11212 }), path: 'memcached.nodes[1].host', says: /resolve to both/ },
  { rule: 'storage-key-length', ok: { manager: { storageKeyPrefix: 'static:' + 'x'.repeat(150) + ',host.hash' } }, bad: { manager: { storageKeyPrefix: 'static:' + 'x'.repeat(150) + ',static:' + 'y'.repeat(60) } }, path: 'manager.storageKeyPrefix', says: /250/ },
  { rule: 'storage-key-token-printable', ok: { manager: { storageKeyPrefix: 'static:a-b.c' } }, bad: { manager: { storageKeyPrefix: 'static:my app' } }, path: 'manager.storageKeyPrefix', says: /spaces/ },
  { rule: 'storage-key-static-no-colon', ok: { manager: { storageKeyPrefix: 'static:a,host' } }, bad: { manager: { storageKeyPrefix: 'static:a:b' } }, path: 'manager.storageKeyPrefix' },
  { rule: 'memcached-host-dns-length', ok: mc({ id: 'a', name: 'm1', host: ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.') }), bad: mc({ id: 'a', name: 'm1', host: ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(62)].join('.') }), path: 'memcached.nodes[0].host', says: /253/ },
  { rule: 'memcached-host-dns-label', ok: mc({ id: 'a', name: 'm1', host: 'x'.repeat(63) }), bad: mc({ id: 'a', name: 'm1', host: 'x'.repeat(64) }), path: 'memcached.nodes[0].host', says: /1-63/ },
  { rule: 'memcached-id-length', ok: mc({ id: 'i'.repeat(32), name: 'm1' }), bad: mc({ id: 'i'.repeat(33), name: 'm1' }), path: 'memcached.nodes[0].id', says: /at most 32/ },
  { rule: 'jvm-route-length', base: STICKY_CONFIG, ok: twoTomcats({ jvmRoute: 'r'.repeat(63) }, { jvmRoute: 'b' }), bad: twoTomcats({ jvmRoute: 'r'.repeat(64) }, { jvmRoute: 'b' }), path: 'tomcat.nodes[0].jvmRoute', says: /at most 63/ },
  { rule: 'java-int-range', ok: { manager: { operationTimeout: 2147483647 } }, bad: { manager: { operationTimeout: 2147483648 } }, path: 'manager.operationTimeout', says: /Java int/ },
  { rule: 'java-int-range-interval', ok: { manager: { maxInactiveInterval: -2147483648 } }, bad: { manager: { maxInactiveInterval: 1e10 } }, path: 'manager.maxInactiveInterval', says: /Java int/ },
  { rule: 'nginx-keepalive-limit', ok: { loadBalancer: { keepalive: 1024 } }, bad: { loadBalancer: { keepalive: 3000000000 } }, path: 'loadBalancer.keepalive', says: /worker_connections/ },
  { rule: 'nginx-connect-timeout-limit', ok: { loadBalancer: { connectTimeout: 75 } }, bad: { loadBalancer: { connectTimeout: 76 } }, path: 'loadBalancer.connectTimeout', says: /75 seconds/ },
  { rule: 'nginx-read-timeout-limit', ok: { loadBalancer: { readTimeout: 86400, failTimeout: 86400 } }, bad: { loadBalancer: { readTimeout: 86401 } }, path: 'loadBalancer.readTimeout' },
  { rule: 'nginx-max-fails-limit', ok: { loadBalancer: { maxFails: 1000 } }, bad: { loadBalancer: { maxFails: 1001 } }, path: 'loadBalancer.maxFails' },
  // Java's regex semantics, not JavaScript's (java-regex.ts runs java.util.regex):
  { rule: 'java-regex-illegal-repetition', ok: { manager: { requestUriIgnorePattern: '.*/\\{id\\}$' } }, bad: { manager: { requestUriIgnorePattern: '.*/{id}$' } }, path: 'manager.requestUriIgnorePattern', says: /Illegal repetition/ },
  { rule: 'java-regex-inline-flags', ok: { manager: { sessionAttributeFilter: '(?i)^user$' } }, bad: { manager: { sessionAttributeFilter: '(?<=a+)b\\' } }, path: 'manager.sessionAttributeFilter', says: /java\.util\.regex/ },
  { rule: 'java-regex-locking', ok: { manager: { lockingMode: 'uriPattern:(?i).*/cart/.*' } }, bad: { manager: { lockingMode: 'uriPattern:.*/{x}' } }, path: 'manager.lockingMode', says: /Illegal repetition/ },
  // --- Redis as the store (issue 13) ---
  { rule: 'redis-excludes-memcached', base: REDIS_CONFIG, ok: {}, bad: mc({ id: 'a', name: 'm1' }), path: 'redis', says: /not both.*Fix: remove the memcached block/ },
  { rule: 'redis-no-failover-nodes', base: patch(STICKY_CONFIG, { memcached: undefined, redis: { name: 'redis-node1' }, manager: { failoverNodes: undefined } }), ok: {}, bad: { manager: { failoverNodes: ['mnode1'] } }, path: 'manager.failoverNodes', says: /no node ids/ },
  { rule: 'redis-no-memcached-protocol', base: REDIS_CONFIG, ok: {}, bad: { manager: { memcachedProtocol: 'binary' } }, path: 'manager.memcachedProtocol' },
  { rule: 'redis-no-sasl', base: REDIS_CONFIG, ok: {}, bad: { manager: { password: 'hunter2' } }, path: 'manager.password', says: /\(got \*\*\*\)/ },
  { rule: 'redis-not-on-swarm', base: REDIS_CONFIG, ok: {}, bad: { engine: { kind: 'swarm' } }, path: 'redis', says: /Swarm/ },
  { rule: 'redis-host-distinct', base: REDIS_CONFIG, ok: { redis: { host: 'sessions' } }, bad: { redis: { host: 'localhost' } }, path: 'redis.host', says: /Tomcat itself/ },
  { rule: 'redis-host-distinct', base: REDIS_CONFIG, ok: { redis: { host: 'redis-node1' } }, bad: { redis: { host: 'tomcat-node2' } }, path: 'redis.host', says: /another container/ },
  { rule: 'container-names-unique', base: REDIS_CONFIG, ok: {}, bad: { redis: { name: 'tomcat-node1' } }, path: 'redis.name' },
  // --- JVM, connector and memcached sizing (issue 13's knobs) ---
  { rule: 'heap-range', ok: { tomcat: { heapMb: 64 } }, bad: { tomcat: { heapMb: 32 } }, path: 'tomcat.heapMb', says: /below 64 MiB.*Fix/ },
  { rule: 'heap-range-max', ok: { tomcat: { heapMb: 32768 } }, bad: { tomcat: { heapMb: 40000 } }, path: 'tomcat.heapMb', says: /32 GiB/ },
  { rule: 'heap-whole', ok: { tomcat: { heapMb: 512 } }, bad: { tomcat: { heapMb: 512.5 } }, path: 'tomcat.heapMb', says: /whole number/ },
  { rule: 'jvm-option-dash', ok: { tomcat: { jvmOptions: ['-XX:+HeapDumpOnOutOfMemoryError'] } }, bad: { tomcat: { jvmOptions: ['HeapDump'] } }, path: 'tomcat.jvmOptions[0]', says: /not a JVM option.*Fix/ },
  { rule: 'jvm-option-no-space', ok: { tomcat: { jvmOptions: ['-Dfile.encoding=UTF-8'] } }, bad: { tomcat: { jvmOptions: ['-Da=1 -Db=2'] } }, path: 'tomcat.jvmOptions[0]', says: /whitespace.*one option per item/ },
  { rule: 'jvm-option-heap-owned', ok: { tomcat: { jvmOptions: ['-Xss512k'] } }, bad: { tomcat: { jvmOptions: ['-Dx=1', '-Xmx2g'] } }, path: 'tomcat.jvmOptions[1]', says: /set by the kit: the heap is tomcat.heapMb/ },
  { rule: 'jvm-option-gc-owned', ok: { tomcat: { jvmOptions: ['-XX:TieredStopAtLevel=1'] } }, bad: { tomcat: { jvmOptions: ['-XX:+UseZGC'] } }, path: 'tomcat.jvmOptions[0]', says: /tomcat.gc/ },
  { rule: 'jvm-option-route-owned', ok: { tomcat: { jvmOptions: ['-Droute.x=1'] } }, bad: { tomcat: { jvmOptions: ['-DjvmRoute=a'] } }, path: 'tomcat.jvmOptions[0]', says: /jvmRoute per node/ },
  { rule: 'jvm-option-agent-owned', ok: { tomcat: { jvmOptions: ['-verbose:gc'] } }, bad: { tomcat: { jvmOptions: ['-javaagent:/x.jar'] } }, path: 'tomcat.jvmOptions[0]', says: /no agent/ },
  { rule: 'jvm-options-java8', ok: { tomcat: { javaVersion: 11, jvmOptions: ['--add-opens=java.base/java.io=ALL-UNNAMED'] } }, bad: { tomcat: { javaVersion: 8, jvmOptions: ['--add-opens=java.base/java.io=ALL-UNNAMED'] } }, path: 'tomcat.jvmOptions[0]', says: /Java 8 does not know.*Fix/ },
  { rule: 'gc-name', ok: { tomcat: { gc: 'parallel' } }, bad: { tomcat: { gc: 'zgc' } }, path: 'tomcat.gc', says: /"serial", "parallel", "g1"/ },
  { rule: 'max-threads-range', ok: { tomcat: { maxThreads: 10000 } }, bad: { tomcat: { maxThreads: 0 } }, path: 'tomcat.maxThreads', says: /positive/ },
  { rule: 'memcached-threads-range', ok: { memcached: { threads: 64 } }, bad: { memcached: { threads: 65 } }, path: 'memcached.threads', says: /64/ },
  { rule: 'memcached-threads-not-on-swarm', ok: { memcached: { threads: 2 } }, bad: { memcached: { threads: 2 }, engine: { kind: 'swarm' } }, path: 'memcached.threads', says: /Swarm.*Fix/ },
  // --- monitoring ---
  { rule: 'monitoring-not-on-swarm', ok: { engine: { kind: 'swarm' } }, bad: { engine: { kind: 'swarm' }, monitoring: { enabled: true } }, path: 'monitoring.enabled', says: /Swarm.*Fix/ },
  { rule: 'monitoring-port-distinct', ok: { monitoring: { port: 9090 } }, bad: { monitoring: { port: 8080 } }, path: 'monitoring.port', says: /nginx.*Fix/ },
  { rule: 'monitoring-port-range', ok: { monitoring: { port: 65535 } }, bad: { monitoring: { port: 70000 } }, path: 'monitoring.port', says: /out of range/ },
  { rule: 'monitoring-scrape-range', ok: { monitoring: { scrapeSeconds: 300 } }, bad: { monitoring: { scrapeSeconds: 301 } }, path: 'monitoring.scrapeSeconds', says: /stale.*Fix/ },
  { rule: 'container-names-unique', ok: { name: 'lab2' }, bad: { name: 'lab', tomcat: { nodes: [{ name: 'lab-prometheus' }] } }, path: 'name', says: /already used/ },
  // --- unknown keys ---
  { rule: 'unknown-key', ok: { manager: { sticky: false } }, bad: { manager: { stiky: false } }, path: 'manager', says: /did you mean "sticky"/ },
  { rule: 'unknown-top-key', ok: {}, bad: { loadbalancer: {} }, path: '(root)', says: /did you mean "loadBalancer"/ },
];

describe('msm rules', () => {
  for (const c of cases) {
    it(`${c.rule}: accepts the good config and refuses the bad one at ${c.path}`, () => {
      const base = c.base ?? DEFAULT_CONFIG;
      expect(() => accept(patch(base, c.ok))).not.toThrow();
      const problems = refuse(patch(base, c.bad));
      const hit = problems.find((p) => p.path === c.path);
      expect(hit, `problems: ${JSON.stringify(problems)}`).toBeDefined();
      expect(hit!.message).toMatch(/Fix:/);
      if (c.says) expect(hit!.message).toMatch(c.says);
    });
  }

  it('every cross-field rule in rules.ts has a case here', () => {
    const tested = new Set(cases.map((c) => c.rule));
    const missing = crossFieldRules.map((r) => r.id).filter((id) => !tested.has(id));
    expect(missing).toEqual([]);
  });

  it('accepts Tomcat 10.1 on Java 11+ and 11 on Java 17+, refuses them below', () => {
    for (const [version, min] of [['10.1', 11], ['11', 17]] as const)
      for (const javaVersion of [8, 11, 17, 21]) {
        const cfg = patch(DEFAULT_CONFIG, { tomcat: { version, javaVersion } });
        if (javaVersion >= min) expect(() => accept(cfg), `${version}/${javaVersion}`).not.toThrow();
        else expect(refuse(cfg).map((p) => p.path)).toContain('tomcat.javaVersion');
      }
  });

  it('accepts every Tomcat × Java × serializer msm 2.3.2 runs (kryo and Tomcat 7/8.5 on Java 9+ included)', () => {
    for (const version of ['7', '8.5', '9'])
      for (const javaVersion of [8, 11, 17, 21])
        for (const serializer of ['java', 'kryo', 'xstream'])
          expect(() => accept(patch(DEFAULT_CONFIG, { tomcat: { version, javaVersion }, manager: { serializer } })), `${version}/${javaVersion}/${serializer}`).not.toThrow();
  });

  it('names the bad value in the message', () => {
    const [p] = refuse(patch(DEFAULT_CONFIG, { loadBalancer: { port: 70000 } }));
    expect(p.message).toContain('(got 70000)');
  });

  it('lists every problem, not only the first', () => {
    const problems = refuse(patch(DEFAULT_CONFIG, { loadBalancer: { port: 0 }, manager: { lockingMode: 'x', serializer: 'flexjson' } }));
    expect(problems.map((p) => p.path).sort()).toEqual(['loadBalancer.port', 'manager.lockingMode', 'manager.serializer']);
  });
});
