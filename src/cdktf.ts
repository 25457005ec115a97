/**
 * The only module that imports cdktf and the docker provider bindings.
 * CDKTF is archived (0.21.0 is its last release); MSM_KIT_CDK=cdktn swaps in its
 * community fork `cdktn` and bindings generated from the provider's schema
 * (src/cdk-engine.ts, tools/cdktn). cdktf stays the default.
 */
import { parseCdkEngine, useCdkEngine } from './cdk-engine';
import { UsageError } from './errors';
useCdkEngine(process.env.MSM_KIT_CDK);
export { App, DataResource, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
export type { ITerraformDependable } from 'cdktf';
export { Construct } from 'constructs';
export { provider as dockerProvider, network as dockerNetwork, container as dockerContainer, image as dockerImage, service as dockerService, config as dockerConfig } from '@cdktf/provider-docker';

type KubeLib<M extends string> = M extends 'provider' ? typeof import('@cdktf/provider-kubernetes/lib/provider')
  : M extends 'namespace-v1' ? typeof import('@cdktf/provider-kubernetes/lib/namespace-v1')
  : M extends 'deployment-v1' ? typeof import('@cdktf/provider-kubernetes/lib/deployment-v1')
  : M extends 'service-v1' ? typeof import('@cdktf/provider-kubernetes/lib/service-v1')
  : M extends 'config-map-v1' ? typeof import('@cdktf/provider-kubernetes/lib/config-map-v1')
  : M extends 'pod-disruption-budget-v1' ? typeof import('@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1')
  : never;

/**
 * The hashicorp/kubernetes bindings a Kubernetes lab uses (@cdktf/provider-kubernetes),
 * loaded on first use: they take about a second to load and only that lab needs them.
 * cdktf only: the kit's cdktn route generates docker bindings alone.
 */
export function kubernetesBindings() {
  if (parseCdkEngine(process.env.MSM_KIT_CDK) !== 'cdktf')
    throw new UsageError('a Kubernetes lab is synthesized with cdktf only (the cdktn route has docker bindings alone). Fix: unset MSM_KIT_CDK');
  const lib = <M extends string>(m: M): KubeLib<M> => require(`@cdktf/provider-kubernetes/lib/${m}`) as KubeLib<M>;
  return {
    provider: lib('provider'),
    namespace: lib('namespace-v1'),
    deployment: lib('deployment-v1'),
    service: lib('service-v1'),
    configMap: lib('config-map-v1'),
    podDisruptionBudget: lib('pod-disruption-budget-v1'),
  };
}
export type KubernetesBindings = ReturnType<typeof kubernetesBindings>;
