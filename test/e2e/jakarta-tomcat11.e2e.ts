/** Tomcat 11 (examples/tomcat11.json), non-sticky and sticky: see ./jakarta.ts. Env: JK11_PORT (18100), JK11_SUBNET (172.28.65.0/24). */
import { jakartaSuite } from './jakarta';

jakartaSuite('examples/tomcat11.json', 't11', { tomcat: '11', java: 17 }, Number(process.env.JK11_PORT ?? 18100), process.env.JK11_SUBNET ?? '172.28.65.0/24');
