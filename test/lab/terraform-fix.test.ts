import { describe, expect, it } from 'vitest';
import { terraformFix } from '../../src/lab/terraform';

// The last lines of failed applies as Docker words them (the disk one is from a CI run's dockerd.log).
describe('terraformFix', () => {
  it.each([
    ['Error: Unable to create container: write /var/lib/docker/containers/x/.tmp-config.v2.json: no space left on device', /disk .* is full.*docker rmi/],
    ['Error: Error pinging Docker server: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', /no Docker engine answers.*docker\.host/],
    ['Error: Unable to create network: Error response from daemon: Pool overlaps with other one on this address space', /network\.subnet overlaps/],
    ['kreuzwerker/docker: could not connect to registry.terraform.io: failed to', /provider\.sh.*local mirror/],
    ['Error: Unable to start container: driver failed programming external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated', /loadBalancer\.port/],
  ])('%s', (line, fix) => {
    const got = terraformFix(['  with docker_container.X,', line]);
    expect(got).toMatch(fix);
    expect(got).toContain('Fix:');
  });

  it('says nothing it does not know', () => {
    expect(terraformFix(['Error: Invalid reference', 'A reference to a resource type must be followed by at least one attribute access'])).toBeUndefined();
  });
});
