import { describe, expect, it } from 'vitest';
import { dataUrl, dockerHelp, dockerHelpPage } from './docker-help';

describe('Docker help', () => {
  it('tells each platform how to install Docker when it is absent', () => {
    expect(dockerHelp({ platform: 'darwin', dockerCli: false }).steps[0]!.link!.url).toContain('mac-install');
    expect(dockerHelp({ platform: 'win32', dockerCli: false }).steps[0]!.link!.url).toContain('windows-install');
    const linux = dockerHelp({ platform: 'linux', dockerCli: false });
    expect(linux.title).toBe('Docker is not installed');
    expect(linux.steps.map((s) => s.command)).toContain('sudo systemctl enable --now docker');
  });

  it('tells how to start it when it is installed but silent', () => {
    expect(dockerHelp({ platform: 'darwin', dockerCli: true }).title).toBe('Docker is installed but not running');
    expect(dockerHelp({ platform: 'win32', dockerCli: true }).steps[0]!.text).toContain('Docker Desktop');
    expect(dockerHelp({ platform: 'linux', dockerCli: true }).steps[0]!.command).toBe('sudo systemctl start docker');
  });

  it('explains the docker group on a permission error', () => {
    const h = dockerHelp({ platform: 'linux', dockerCli: true, detail: 'connect EACCES /var/run/docker.sock' });
    expect(h.steps[0]!.command).toBe('sudo usermod -aG docker $USER');
  });

  it('offers the native stack only when Java is there', () => {
    const withJava = dockerHelpPage({ platform: 'linux', dockerCli: false, javaVersion: '21.0.5' });
    expect(withJava).toContain('href="topk-shell://native"');
    expect(withJava).toContain('Java 21.0.5 is installed');
    const without = dockerHelpPage({ platform: 'linux', dockerCli: false, javaTooOld: '11.0.2' });
    expect(without).not.toContain('topk-shell://native');
    expect(without).toContain('found 11.0.2');
    expect(without).toContain('href="topk-shell://retry"');
  });

  it('is a static page: no script, its own strict CSP, escaped details', () => {
    const page = dockerHelpPage({ platform: 'linux', dockerCli: false, detail: '<img src=x onerror=alert(1)>' });
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('content="default-src &#39;none&#39;;'); // attribute-escaped quotes
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img src=x');
    expect(Buffer.from(dataUrl(page).split(',')[1]!, 'base64').toString('utf8')).toBe(page);
  });
});
