#!/usr/bin/env node
// Tiny static file server for the built playground (dist/), used by scripts/test.sh.
//   node scripts/static-server.mjs [DIR=dist] [PORT=0]
// Listens on 127.0.0.1 (HOST env overrides); PORT 0 picks a free port. Prints exactly one line,
// the base URL (e.g. http://127.0.0.1:40123/), once it is listening. GET and HEAD only.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] || 'dist');
const port = Number(process.argv[3] || process.env.PORT || 0);
const host = process.env.HOST || '127.0.0.1';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function resolveFile(urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const file = resolve(join(root, rel));
  if (file !== root && !file.startsWith(root + sep)) return null; // no escaping dist/
  try {
    const st = await stat(file);
    if (st.isDirectory()) {
      const index = join(file, 'index.html');
      const ist = await stat(index);
      return { file: index, size: ist.size };
    }
    return { file, size: st.size };
  } catch {
    return null;
  }
}

const server = createServer(async (req, res) => {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const found = await resolveFile(pathname);
  if (!found) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  res.writeHead(200, {
    'content-type': MIME[extname(found.file).toLowerCase()] || 'application/octet-stream',
    'content-length': found.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(found.file).pipe(res);
});

server.listen(port, host, () => {
  const { port: p } = server.address();
  process.stdout.write(`http://${host}:${p}/\n`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
