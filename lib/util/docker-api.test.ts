import { expect, test } from 'vitest';
import { demux } from './docker-api.ts';

const frame = (stream: number, text: string) => {
  const payload = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
};

test('exec output: stdout and stderr frames split, in order, an empty stream empty', () => {
  const buf = Buffer.concat([frame(1, 'server-0\n'), frame(2, 'warn\n'), frame(1, '@@v6e2e-status=200'), frame(2, '')]);
  expect(demux(buf)).toEqual({ stdout: 'server-0\n@@v6e2e-status=200', stderr: 'warn\n' });
  expect(demux(Buffer.alloc(0))).toEqual({ stdout: '', stderr: '' });
});
