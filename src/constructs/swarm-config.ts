import { createHash } from 'node:crypto';
import { Construct, dockerConfig } from '../cdktf';

export interface SwarmConfigProps {
  /** Name prefix; a hash of the content is appended (Swarm configs are immutable: new content, new config). */
  readonly name: string;
  readonly content: string;
}

/** A file for a Swarm service (nginx.conf): services cannot get files uploaded as containers do. */
export class SwarmConfig extends Construct {
  readonly resource: dockerConfig.Config;

  constructor(scope: Construct, id: string, props: SwarmConfigProps) {
    super(scope, id);
    const hash = createHash('sha256').update(props.content).digest('hex').slice(0, 12);
    this.resource = new dockerConfig.Config(this, 'Resource', {
      name: `${props.name}-${hash}`,
      data: Buffer.from(props.content).toString('base64'),
      lifecycle: { createBeforeDestroy: true },
    });
  }
}
