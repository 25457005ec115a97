/** examples/sticky.json (Tomcat 9 / Java 17, sticky), isolated: see ./kit-labs.ts. Env: ST_PORT (18170), ST_SUBNET (172.28.84.0/24). */
import { kitLabSuite } from './kit-labs';

kitLabSuite({
  example: 'examples/sticky.json',
  name: 'e2e-sticky',
  port: Number(process.env.ST_PORT ?? 18170),
  subnet: process.env.ST_SUBNET ?? '172.28.84.0/24',
  redeploys: true,
  drills: ['memcached-down-x3', 'tomcat-down', 'restart', 'cold-start'],
});
