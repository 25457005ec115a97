import { Construct, dockerImage } from '../cdktf';

export interface BaseImageProps {
  /** Image reference, e.g. memcached:1.6. Used as is when present locally, pulled otherwise. */
  readonly name: string;
}

/** An image the lab runs as is; kept on destroy so a second deploy needs no pull. */
export class BaseImage extends Construct {
  readonly resource: dockerImage.Image;

  constructor(scope: Construct, id: string, props: BaseImageProps) {
    super(scope, id);
    this.resource = new dockerImage.Image(this, 'Resource', { name: props.name, keepLocally: true });
  }
}
