// grpc-js as a server, for the project's C# client to call. Same service and behaviour as the C#
// InteropTestService. Requires client certificates from the dev CA. Prints "LISTENING <port>".
//   node server.js --ca root.crt --cert hub-chain.crt --key hub.key
'use strict';
const { grpc, load, args, read } = require('./common');

const opt = args();
const interop = load('antifraud/testing/v1/interop.proto').antifraud.testing.v1;

function seen(call) {
  const out = [];
  for (const [k, vals] of Object.entries(call.metadata.getMap())) {
    if (!k.startsWith('x-')) continue;
    for (const v of call.metadata.get(k)) out.push(`${k}=${Buffer.isBuffer(v) ? v.toString('base64') : v}`);
  }
  return out.sort();
}

function remaining(call) {
  const d = call.getDeadline();
  return d instanceof Date ? d.getTime() - Date.now() : (d === Infinity ? -1 : Number(d) - Date.now());
}

function failure(req) {
  if (!req.fail_with_code) return null;
  const md = new grpc.Metadata();
  md.set('x-failure-detail', 'requested');
  return { code: req.fail_with_code, details: req.fail_with_message, metadata: md };
}

function reply(req, call, index) {
  return {
    text: req.text,
    index,
    payload: req.response_size > 0 ? Buffer.alloc(req.response_size) : req.payload,
    seen_metadata: seen(call),
    deadline_remaining_ms: remaining(call),
  };
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

const impl = {
  async Echo(call, callback) {
    const req = call.request;
    if (req.delay_ms) await delay(req.delay_ms);
    const f = failure(req);
    if (f) return callback(f);
    if (call.metadata.get('x-send-initial').length) {
      const m = new grpc.Metadata();
      m.set('x-echo-initial', 'hello');
      call.sendMetadata(m);
    }
    const trailers = new grpc.Metadata();
    trailers.set('x-echo-trailing', 'bye');
    trailers.set('x-echo-trailing-bin', Buffer.from([0, 1, 2, 250]));
    callback(null, reply(req, call, 0), trailers);
  },
  async ServerStream(call) {
    const req = call.request;
    const f = failure(req);
    if (f) return call.emit('error', f);
    for (let i = 0; i < req.response_count; i++) call.write(reply(req, call, i));
    const trailers = new grpc.Metadata();
    trailers.set('x-echo-trailing', 'bye');
    call.end(trailers);
  },
  ClientStream(call, callback) {
    const texts = [];
    let bytes = 0;
    call.on('data', (r) => { texts.push(r.text); bytes += r.payload.length; });
    call.on('end', () => callback(null, { text: texts.join(','), index: texts.length, payload: Buffer.from(String(bytes)) }));
  },
  Duplex(call) {
    let i = 0;
    call.on('data', (r) => call.write(reply(r, call, i++)));
    call.on('end', () => call.end());
  },
};

const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
server.addService(interop.InteropTest.service, impl);
const creds = grpc.ServerCredentials.createSsl(read(opt.ca), [{ cert_chain: read(opt.cert), private_key: read(opt.key) }], opt['no-client-cert'] !== 'true');
server.bindAsync(`127.0.0.1:${opt.port || 0}`, creds, (err, port) => {
  if (err) { console.error(err); process.exit(1); }
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
