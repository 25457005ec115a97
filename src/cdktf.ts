/**
 * The only module that imports cdktf and the docker provider bindings.
 * CDKTF is archived (0.21.0 is its last release); moving to its community fork
 * `cdktn` is an edit of this file alone.
 */
export { App, LocalBackend, TerraformOutput, TerraformStack, Testing } from 'cdktf';
export { Construct } from 'constructs';
export { provider as dockerProvider, network as dockerNetwork, container as dockerContainer, image as dockerImage } from '@cdktf/provider-docker';
