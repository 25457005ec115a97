/** examples/seed-sticky.json (Tomcat 7 / Java 8 / Kryo, sticky), isolated: see ./kit-labs.ts. Env: SEEDST_PORT (18172), SEEDST_SUBNET (172.28.86.0/24). */
import { kitLabSuite } from './kit-labs';

kitLabSuite({
  example: 'examples/seed-sticky.json',
  name: 'e2e-seed-sticky',
  port: Number(process.env.SEEDST_PORT ?? 18172),
  subnet: process.env.SEEDST_SUBNET ?? '172.28.86.0/24',
  drills: ['memcached-down', 'tomcat-down', 'restart'],
});
