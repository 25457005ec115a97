import { Construct, dockerImage } from '../cdktf';

export interface TomcatImageProps {
  /** Tag of the built image. */
  readonly name: string;
  /** Build context (Dockerfile, jars, sample app): a path Terraform resolves, e.g. `${path.module}/../../../tomcat-image`. */
  readonly contextDir: string;
  /** Hash of the build context's contents; a change rebuilds the image. */
  readonly contextHash: string;
  /** The base Tomcat image, which must exist before the build. */
  readonly base: dockerImage.Image;
}

/** The Tomcat image with the msm jar set and the sample app, built from the synthesized context. */
export class TomcatImage extends Construct {
  readonly resource: dockerImage.Image;

  constructor(scope: Construct, id: string, props: TomcatImageProps) {
    super(scope, id);
    this.resource = new dockerImage.Image(this, 'Resource', {
      name: props.name,
      keepLocally: true,
      buildAttribute: { context: props.contextDir, dockerfile: 'Dockerfile', remove: true, forceRemove: true },
      triggers: { context: props.contextHash },
      dependsOn: [props.base],
    });
  }
}
