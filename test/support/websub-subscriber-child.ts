// The test subscriber as its own process: `node --import tsx websub-subscriber-child.ts SECRET`.
// Commands arrive on stdin and events leave on stdout, one JSON object per line:
//   in:  {"cmd":"subscribe"|"unsubscribe","hub":URL,"topic":URL}
//   out: {"event":"ready","origin":…} {"event":"requested","status":202} {"event":"verification",…}
//        {"event":"push","valid":true,"at":ms,"link":…,"contentType":…,"body":…}
import { createInterface } from 'node:readline';
import { hubRequest, startSubscriber } from './websub-subscriber.js';

const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const secret = process.argv[2];
const sub = await startSubscriber({
  secret,
  onEvent(e) {
    if (e.kind === 'verification') out({ event: 'verification', mode: e.v.mode, topic: e.v.topic, status: e.v.status, leaseSeconds: e.v.leaseSeconds });
    else out({ event: 'push', valid: e.p.valid, at: e.p.at, link: e.p.link, contentType: e.p.contentType, body: e.p.body.toString('utf8') });
  },
});
const callback = sub.callback('feed');
out({ event: 'ready', origin: sub.origin, callback });

createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as { cmd: 'subscribe' | 'unsubscribe'; hub: string; topic: string };
  sub.intend(c.cmd, c.topic);
  const form: Record<string, string> = { 'hub.mode': c.cmd, 'hub.topic': c.topic, 'hub.callback': callback };
  if (c.cmd === 'subscribe' && secret) form['hub.secret'] = secret;
  hubRequest(c.hub, form).then(
    (r) => out({ event: 'requested', status: r.status, text: r.text }),
    (err) => out({ event: 'requested', status: 0, text: String(err) }),
  );
});
process.stdin.on('end', () => void sub.close().then(() => process.exit(0)));
