/**
 * lab.config.json (Tomcat 9 / Java 17, non-sticky: the default lab) deployed by the cdktf CLI
 * (`cdktf deploy`, stacks/main.ts), isolated: see ./kit-labs.ts. The node-death check (three
 * memcached deaths, no session lost at all), the other drills and the soak run on it; `cdktf
 * destroy` leaves nothing. Env: CLI_PORT (18174), CLI_SUBNET (172.28.88.0/24).
 */
import { kitLabSuite } from './kit-labs';

kitLabSuite({
  example: 'lab.config.json',
  name: 'e2e-cdktf',
  port: Number(process.env.CLI_PORT ?? 18174),
  subnet: process.env.CLI_SUBNET ?? '172.28.88.0/24',
  route: 'cdktf-cli',
  drills: ['memcached-down-x3', 'memcached-restart', 'tomcat-down', 'restart', 'cold-start'],
  soak: true,
  quickDrills: ['memcached-down', 'tomcat-down'],
});
