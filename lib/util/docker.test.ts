import { afterEach, describe, expect, test, vi } from 'vitest';
import { describeDocker, dockerFailed, dockerTry } from './docker.ts';
import { EnvironmentError } from './errors.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('docker wrapper', () => {
  test('names the command without whole scripts', () => {
    expect(describeDocker(['network', 'create', 'n'])).toBe('docker network create n');
    const long = describeDocker(['run', '-d', '--name', 'x', '--entrypoint', 'sh', 'img', '-c', 'a\nb']);
    expect(long).toBe('docker run -d --name x --entrypoint sh …');
    expect(describeDocker(['exec', 'c', 'x'.repeat(100)])).toContain(`${'x'.repeat(57)}...`);
  });

  test('a failed command is an EnvironmentError (exit 2) with what to do and docker’s last lines', () => {
    const err = dockerFailed(['start', 'c'], { exitCode: 1, stdout: '', stderr: 'Error: No such container: c\n', all: '' });
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('docker start c failed (exit 1); check that the Docker engine answers (`docker info`; `sudo npx v6e2e lab setup` starts one)\nError: No such container: c');
    expect(dockerFailed(['ps'], { exitCode: undefined, stdout: '', stderr: '', all: '' }, 'wait less').message).toBe('docker ps timed out; wait less');
  });

  test('no docker binary is an EnvironmentError, not "exit undefined"', async () => {
    vi.stubEnv('PATH', '/nonexistent-v6e2e');
    await expect(dockerTry(['info'])).rejects.toThrow(EnvironmentError);
    await expect(dockerTry(['info'])).rejects.toThrow(/cannot run docker info \(ENOENT\); install Docker/);
  });
});
