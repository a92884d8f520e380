import { shellPagePolicy } from './security';

/** What the shell learnt when it looked for a container engine and for Java. */
export interface EngineReport {
  platform: NodeJS.Platform;
  /** a `docker` command is on PATH (installed, maybe not running) */
  dockerCli: boolean;
  /** why the engine did not answer, e.g. "connect ENOENT /var/run/docker.sock" */
  detail?: string;
  /** Java that can run the native stack, e.g. "21.0.5"; undefined when none (or too old) */
  javaVersion?: string;
  /** Java found but older than the native stack needs */
  javaTooOld?: string;
}

export interface HelpStep {
  text: string;
  /** a command to type, shown as code */
  command?: string;
  link?: { label: string; url: string };
}

export interface DockerHelp {
  title: string;
  summary: string;
  steps: HelpStep[];
}

const DOCS = {
  mac: 'https://docs.docker.com/desktop/setup/install/mac-install/',
  windows: 'https://docs.docker.com/desktop/setup/install/windows-install/',
  linuxEngine: 'https://docs.docker.com/engine/install/',
  linuxPostInstall: 'https://docs.docker.com/engine/install/linux-postinstall/',
  java: 'https://adoptium.net/',
};

/** Platform-specific instructions: install when Docker is absent, start it when it is installed but silent. */
export function dockerHelp(r: EngineReport): DockerHelp {
  const installed = r.dockerCli;
  const permission = /EACCES|permission denied/i.test(r.detail ?? '');
  switch (r.platform) {
    case 'darwin':
      return installed
        ? {
            title: 'Docker is installed but not running',
            summary: 'Heavy Rotation runs Kafka, Cassandra and Redis as Docker containers on this Mac.',
            steps: [
              { text: 'Open Docker Desktop from Applications (or start Colima / OrbStack if you use one).' },
              { text: 'Wait until the whale icon in the menu bar says “Docker Desktop is running”.' },
              { text: 'Then try again below.' },
            ],
          }
        : {
            title: 'Docker is not installed',
            summary: 'Heavy Rotation runs Kafka, Cassandra and Redis as Docker containers on this Mac.',
            steps: [
              { text: 'Install Docker Desktop for Mac (Apple silicon or Intel).', link: { label: 'Docker Desktop for Mac', url: DOCS.mac } },
              { text: 'Open Docker Desktop once and accept its terms; wait until it says it is running.' },
              { text: 'Then try again below.' },
            ],
          };
    case 'win32':
      return installed
        ? {
            title: 'Docker is installed but not running',
            summary: 'Heavy Rotation runs Kafka, Cassandra and Redis as Docker containers on this PC.',
            steps: [
              { text: 'Start Docker Desktop from the Start menu.' },
              { text: 'Wait until its tray icon says “Docker Desktop is running” (the first start of WSL 2 can take a minute).' },
              { text: 'Then try again below.' },
            ],
          }
        : {
            title: 'Docker is not installed',
            summary: 'Heavy Rotation runs Kafka, Cassandra and Redis as Docker containers on this PC.',
            steps: [
              { text: 'Install Docker Desktop for Windows with the WSL 2 backend.', link: { label: 'Docker Desktop for Windows', url: DOCS.windows } },
              { text: 'Restart Windows if the installer asks, then start Docker Desktop.' },
              { text: 'Then try again below.' },
            ],
          };
    default:
      if (permission) {
        return {
          title: 'Docker is running, but this user may not use it',
          summary: 'The Docker socket refused the connection (permission denied).',
          steps: [
            { text: 'Add yourself to the docker group:', command: 'sudo usermod -aG docker $USER', link: { label: 'Linux post-install steps', url: DOCS.linuxPostInstall } },
            { text: 'Log out and back in (or reboot) so the new group applies.' },
            { text: 'Then try again below.' },
          ],
        };
      }
      return installed
        ? {
            title: 'Docker is installed but not running',
            summary: 'Heavy Rotation runs Kafka, Cassandra and Redis as Docker containers.',
            steps: [
              { text: 'Start the Docker service:', command: 'sudo systemctl start docker' },
              { text: 'To start it at every boot:', command: 'sudo systemctl enable docker' },
              { text: 'Then try again below.' },
            ],
          }
        : {
            title: 'Docker is not installed',
            summary: 'Heavy Rotation runs Kafka, Cassandra and Redis as Docker containers.',
            steps: [
              { text: 'Install Docker Engine for your distribution.', link: { label: 'Install Docker Engine', url: DOCS.linuxEngine } },
              { text: 'Start it:', command: 'sudo systemctl enable --now docker' },
              { text: 'Let your user run containers, then log out and back in:', command: 'sudo usermod -aG docker $USER', link: { label: 'Linux post-install steps', url: DOCS.linuxPostInstall } },
              { text: 'Then try again below.' },
            ],
          };
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A self-contained page (no script: the shell's links `topk-shell://…` are
 * caught by the window's navigation guard, web links open in the browser).
 */
export function dockerHelpPage(r: EngineReport): string {
  const help = dockerHelp(r);
  const steps = help.steps
    .map((s) => {
      const cmd = s.command ? ` <code>${esc(s.command)}</code>` : '';
      const link = s.link ? ` <a href="${esc(s.link.url)}">${esc(s.link.label)} ↗</a>` : '';
      return `<li>${esc(s.text)}${cmd}${link}</li>`;
    })
    .join('\n');
  const native = r.javaVersion
    ? `<section class="alt">
  <h2>No Docker? Run the stack natively</h2>
  <p>Java ${esc(r.javaVersion)} is installed, so Heavy Rotation can run Kafka and Cassandra as Java processes
  (downloaded once from Maven Central) and Redis from <code>redis-server</code>. Data stays in the app's data folder.</p>
  <p><a class="button" href="topk-shell://native">Use the native stack</a></p>
</section>`
    : `<section class="alt">
  <h2>Without Docker</h2>
  <p>The native stack needs Java 17 or newer${r.javaTooOld ? ` (found ${esc(r.javaTooOld)})` : ''}.
  <a href="${DOCS.java}">Get Java ↗</a>, restart Heavy Rotation, and this page will offer it.</p>
</section>`;
  const detail = r.detail ? `<p class="detail">Docker said: <code>${esc(r.detail)}</code></p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(shellPagePolicy())}">
<title>Heavy Rotation — ${esc(help.title)}</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { max-width: 42rem; margin: 3rem auto; padding: 0 1.5rem; line-height: 1.5; }
  h1 { font-size: 1.5rem; margin-bottom: .25rem; }
  li { margin: .5rem 0; }
  code { background: rgba(127,127,127,.18); padding: .1rem .35rem; border-radius: 4px; }
  .detail { opacity: .75; font-size: .9rem; }
  .button { display: inline-block; padding: .5rem 1rem; border-radius: 6px; background: #d9480f; color: #fff; text-decoration: none; font-weight: 600; }
  .button.secondary { background: transparent; color: inherit; border: 1px solid currentColor; }
  .alt { margin-top: 2rem; padding-top: 1rem; border-top: 1px solid rgba(127,127,127,.35); }
</style>
</head>
<body>
<h1>${esc(help.title)}</h1>
<p>${esc(help.summary)}</p>
${detail}
<ol>
${steps}
</ol>
<p><a class="button" href="topk-shell://retry">Try again</a>
<a class="button secondary" href="topk-shell://open-app">Open the app anyway</a></p>
${native}
</body>
</html>
`;
}

export function dataUrl(html: string): string {
  return `data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`;
}
