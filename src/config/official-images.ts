/** The official images a lab runs by default (config/images.ts holds the rest of the catalogue: the stand-ins). */
export const OFFICIAL_IMAGES = {
  memcached: 'memcached:1.6',
  nginx: 'nginx:1.27',
  redis: 'redis:7.0',
  prometheus: 'prom/prometheus:v2.42.0',
  nginxExporter: 'nginx/nginx-prometheus-exporter:0.11.0',
  memcachedExporter: 'prom/memcached-exporter:v0.15.0',
  redisExporter: 'oliver006/redis_exporter:v1.45.0',
} as const;
