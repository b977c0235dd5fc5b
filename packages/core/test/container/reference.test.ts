import { describe, expect, test } from '@jest/globals';
import { formatReference, imageName, parseImageReference, registryApiHost } from '../../src/container/reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  test.each([
    ['ghcr.io/octo/app@' + DIGEST, { registry: 'ghcr.io', repository: 'octo/app', digest: DIGEST }],
    ['ghcr.io/octo/app:1.2', { registry: 'ghcr.io', repository: 'octo/app', tag: '1.2' }],
    ['127.0.0.1:5000/a/b:t@' + DIGEST, { registry: '127.0.0.1:5000', repository: 'a/b', tag: 't', digest: DIGEST }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['busybox', { registry: 'docker.io', repository: 'library/busybox' }],
    ['octo/app', { registry: 'docker.io', repository: 'octo/app' }],
    ['index.docker.io/octo/app', { registry: 'docker.io', repository: 'octo/app' }],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
    expect(parseImageReference(formatReference(expected))).toEqual(expected);
  });

  test.each([
    ['ghcr.io/octo/app@sha256:short', /not a sha256 digest/],
    ['ghcr.io/Octo/App', /invalid repository/],
    ['ghcr.io/octo/app:-bad', /invalid tag/],
  ])('%s is refused', (text, message) => {
    expect(() => parseImageReference(text)).toThrow(message);
  });

  test('image names are lower-cased, may repeat the registry, and name the input when wrong', () => {
    expect(imageName('ghcr.io', 'Octo-Org/Scoring')).toEqual({
      registry: 'ghcr.io',
      repository: 'octo-org/scoring',
      name: 'ghcr.io/octo-org/scoring',
    });
    expect(imageName('https://MyACR.azurecr.io/', 'myacr.azurecr.io/team/app').name).toBe('myacr.azurecr.io/team/app');
    expect(imageName('docker.io', 'busybox').name).toBe('docker.io/library/busybox');
    expect(() => imageName('ghcr.io', 'octo/bad name')).toThrow(/Input 'image'/);
    expect(() => imageName('ghcr.io/octo', 'app')).toThrow(/Input 'registry'/);
  });

  test('Docker Hub API host', () => {
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io');
  });
});
