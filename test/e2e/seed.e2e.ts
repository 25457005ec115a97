/** examples/seed.json (the walkthrough's lab: Tomcat 7 / Java 8 / Kryo, non-sticky), isolated: see ./kit-labs.ts. Env: SEED_PORT (18171), SEED_SUBNET (172.28.85.0/24). */
import { kitLabSuite } from './kit-labs';

kitLabSuite({
  example: 'examples/seed.json',
  name: 'e2e-seed',
  port: Number(process.env.SEED_PORT ?? 18171),
  subnet: process.env.SEED_SUBNET ?? '172.28.85.0/24',
  drills: ['memcached-down', 'tomcat-down', 'restart', 'cold-start'],
});
