import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startClickHouseServer } from './clickhouse-server.js';

const hasServer = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v clickhouse-server || command -v clickhouse'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasServer)(
  `throwaway ClickHouse server${hasServer ? '' : ' (skipped: no clickhouse-server binary)'}`,
  () => {
    it('starts on free ports, answers queries and stops by PID', async () => {
      const server = await startClickHouseServer();
      try {
        const response = await fetch(`${server.url}/?query=SELECT%201%2B1`);
        expect((await response.text()).trim()).toBe('2');
      } finally {
        await server.stop();
      }
      expect(() => process.kill(server.pid, 0)).toThrow();
      await expect(fetch(`${server.url}/ping`)).rejects.toThrow();
    });
  },
);
