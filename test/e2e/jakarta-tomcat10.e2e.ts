/** Tomcat 10.1 (examples/tomcat10.json), non-sticky and sticky: see ./jakarta.ts. Env: JK10_PORT (18102), JK10_SUBNET (172.28.64.0/24). */
import { jakartaSuite } from './jakarta';

jakartaSuite('examples/tomcat10.json', 't10', { tomcat: '10.1', java: 11 }, Number(process.env.JK10_PORT ?? 18102), process.env.JK10_SUBNET ?? '172.28.64.0/24');
