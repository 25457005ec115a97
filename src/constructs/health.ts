/**
 * Health checks that need nothing but bash in the image (the official images
 * and the offline stand-ins both have it; neither is sure to have curl).
 */
export function tcpCheck(port: number): string[] {
  return ['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`];
}

export function httpCheck(port: number, path: string): string[] {
  return [
    'CMD',
    'bash',
    '-c',
    `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`,
  ];
}

export const HEALTH_TIMING = { interval: '1s', timeout: '2s', retries: 120, startPeriod: '1s' } as const;
