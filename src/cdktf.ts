/**
 * The only module that imports cdktf and the docker provider bindings.
 * CDKTF is archived (0.21.0 is its last release); MSM_KIT_CDK=cdktn swaps in its
 * community fork `cdktn` and bindings generated from the provider's schema
 * (src/cdk-engine.ts, tools/cdktn). cdktf stays the default.
 */
import { useCdkEngine } from './cdk-engine';
useCdkEngine(process.env.MSM_KIT_CDK);
export { App, DataResource, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
export { Construct } from 'constructs';
export { provider as dockerProvider, network as dockerNetwork, container as dockerContainer, image as dockerImage, service as dockerService, config as dockerConfig } from '@cdktf/provider-docker';
