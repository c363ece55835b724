// grpc-js as a client of the AntiFraud.Exchange wire layer. Runs every check and prints one JSON line
// per check: {"name": ..., "ok": true|false, "detail": ...}. Exit code 0 when the run itself worked.
//   node client.js --target 127.0.0.1:PORT --ca root.crt --cert partner.crt --key partner.key
'use strict';
const { grpc, load, args, read } = require('./common');

const opt = args();
const interop = load('antifraud/testing/v1/interop.proto').antifraud.testing.v1;
const health = load('grpc/health/v1/health.proto').grpc.health.v1;
const reflection = load('grpc/reflection/v1/reflection.proto').grpc.reflection.v1;

const creds = grpc.credentials.createSsl(read(opt.ca), read(opt.key), read(opt.cert));
const channelOptions = {
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  'grpc.max_send_message_length': 16 * 1024 * 1024,
};
const client = new interop.InteropTest(opt.target, creds, channelOptions);
const gzipClient = new interop.InteropTest(opt.target, creds, { ...channelOptions, 'grpc.default_compression_algorithm': 2 });
const healthClient = new health.Health(opt.target, creds);
const reflectionClient = new reflection.ServerReflection(opt.target, creds);

const deadline = (ms) => new Date(Date.now() + ms);

function unary(c, method, request, metadata, options) {
  // grpc-js calls the callback before it emits 'status': resolve once both have happened.
  return new Promise((resolve) => {
    const result = { initial: null, trailers: null, err: null, response: null };
    let pending = 2;
    const done = () => { if (--pending === 0) resolve(result); };
    const call = c[method](request, metadata || new grpc.Metadata(), options || { deadline: deadline(10000) }, (err, response) => {
      result.err = err;
      result.response = response;
      done();
    });
    call.on('metadata', (m) => { result.initial = m; });
    call.on('status', (s) => { result.trailers = s.metadata; done(); });
  });
}

const checks = {
  async unary_echo_metadata_trailers() {
    const md = new grpc.Metadata();
    md.set('x-request-id', 'r-42');
    md.set('x-token-bin', Buffer.from([0, 255, 7]));
    md.set('x-send-initial', '1');
    const r = await unary(client, 'Echo', { text: '冻结 freeze' }, md);
    if (r.err) throw new Error(`call failed: ${r.err.code} ${r.err.details}`);
    const seen = r.response.seen_metadata.join('|');
    const expectSeen = 'x-request-id=r-42|x-send-initial=1|x-token-bin=AP8H';
    if (r.response.text !== '冻结 freeze') throw new Error(`text ${r.response.text}`);
    if (seen !== expectSeen) throw new Error(`server saw metadata ${seen}, expected ${expectSeen}`);
    if (r.initial.get('x-echo-initial')[0] !== 'hello') throw new Error('initial metadata x-echo-initial missing');
    if (r.trailers.get('x-echo-trailing')[0] !== 'bye') throw new Error('trailer x-echo-trailing missing');
    const bin = r.trailers.get('x-echo-trailing-bin')[0];
    if (!Buffer.isBuffer(bin) || !bin.equals(Buffer.from([0, 1, 2, 250]))) throw new Error(`binary trailer ${bin}`);
    return `metadata ${seen}; trailers ok`;
  },

  async server_streaming_in_order() {
    return new Promise((resolve, reject) => {
      const got = [];
      const call = client.ServerStream({ text: 's', response_count: 100 }, { deadline: deadline(10000) });
      call.on('data', (m) => got.push(m.index));
      call.on('error', (e) => reject(new Error(`${e.code} ${e.details}`)));
      call.on('status', (s) => {
        if (s.code !== 0) return;
        const ok = got.length === 100 && got.every((v, i) => v === i);
        ok ? resolve(`${got.length} messages in order`) : reject(new Error(`got ${got.join(',')}`));
      });
    });
  },

  async client_streaming() {
    return new Promise((resolve, reject) => {
      const call = client.ClientStream({ deadline: deadline(10000) }, (err, res) => {
        if (err) return reject(new Error(`${err.code} ${err.details}`));
        res.index === 20 && res.text === [...Array(20).keys()].join(',')
          ? resolve(`server saw ${res.index} requests`)
          : reject(new Error(`server saw ${res.index}: ${res.text}`));
      });
      for (let i = 0; i < 20; i++) call.write({ text: String(i), payload: Buffer.alloc(1000) });
      call.end();
    });
  },

  async duplex_ping_pong() {
    return new Promise((resolve, reject) => {
      const call = client.Duplex({ deadline: deadline(10000) });
      let n = 0;
      call.on('data', (m) => {
        if (m.text !== `ping${n}`) return reject(new Error(`expected ping${n}, got ${m.text}`));
        n++;
        if (n < 10) call.write({ text: `ping${n}` }); else call.end();
      });
      call.on('error', (e) => reject(new Error(`${e.code} ${e.details}`)));
      call.on('status', (s) => { if (s.code === 0) n === 10 ? resolve('10 round trips') : reject(new Error(`${n} round trips`)); });
      call.write({ text: 'ping0' });
    });
  },

  async error_trailers_only() {
    const r = await unary(client, 'Echo', { fail_with_code: 3, fail_with_message: "field 'amount' 无效 100%" });
    if (!r.err) throw new Error('expected an error');
    if (r.err.code !== 3) throw new Error(`code ${r.err.code}`);
    if (r.err.details !== "field 'amount' 无效 100%") throw new Error(`details '${r.err.details}'`);
    if (r.err.metadata.get('x-failure-detail')[0] !== 'requested') throw new Error('error trailer missing');
    return `INVALID_ARGUMENT: ${r.err.details}`;
  },

  async deadline_exceeded() {
    const started = Date.now();
    const r = await unary(client, 'Echo', { delay_ms: 5000 }, null, { deadline: deadline(300) });
    const took = Date.now() - started;
    if (!r.err || r.err.code !== 4) throw new Error(`expected DEADLINE_EXCEEDED, got ${r.err && r.err.code}`);
    if (took > 3000) throw new Error(`took ${took} ms`);
    return `DEADLINE_EXCEEDED after ${took} ms`;
  },

  async deadline_propagated() {
    const r = await unary(client, 'Echo', { text: 'd' }, null, { deadline: deadline(30000) });
    if (r.err) throw new Error(`${r.err.code} ${r.err.details}`);
    const left = r.response.deadline_remaining_ms;
    if (!(left > 20000 && left <= 30000)) throw new Error(`server saw ${left} ms left`);
    return `server saw ${left} ms left of 30000`;
  },

  async large_messages() {
    const r = await unary(client, 'Echo', { payload: Buffer.alloc(3 * 1024 * 1024, 7), response_size: 10 * 1024 * 1024 });
    if (r.err) throw new Error(`${r.err.code} ${r.err.details}`);
    if (r.response.payload.length !== 10 * 1024 * 1024) throw new Error(`payload ${r.response.payload.length}`);
    return '3 MiB request, 10 MiB response';
  },

  async too_large_is_resource_exhausted() {
    const r = await unary(client, 'Echo', { payload: Buffer.alloc(5 * 1024 * 1024) });
    if (!r.err || r.err.code !== 8) throw new Error(`expected RESOURCE_EXHAUSTED, got ${r.err && r.err.code} ${r.err && r.err.details}`);
    return r.err.details;
  },

  async unknown_method_unimplemented() {
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest('/antifraud.testing.v1.InteropTest/NoSuchMethod', (x) => x, (x) => x, Buffer.alloc(0), (err) => {
        if (err && err.code === 12) resolve(err.details); else reject(new Error(`got ${err && err.code}`));
      });
    });
  },

  async gzip_request() {
    const r = await unary(gzipClient, 'Echo', { text: 'compressed 压缩', payload: Buffer.alloc(20000, 1) });
    if (r.err) throw new Error(`${r.err.code} ${r.err.details}`);
    if (r.response.text !== 'compressed 压缩') throw new Error(`text ${r.response.text}`);
    return 'gzip-compressed request accepted';
  },

  async health_check() {
    const ok = await unary(healthClient, 'Check', { service: '' });
    if (ok.err) throw new Error(`${ok.err.code} ${ok.err.details}`);
    if (ok.response.status !== 'SERVING') throw new Error(`status ${ok.response.status}`);
    const missing = await unary(healthClient, 'Check', { service: 'no.Such' });
    if (!missing.err || missing.err.code !== 5) throw new Error(`unknown service gave ${missing.err && missing.err.code}`);
    return 'SERVING; unknown service NOT_FOUND';
  },

  // Reports the status of a health check instead of judging it: identity tests read the code.
  async health_status() {
    const r = await unary(healthClient, 'Check', { service: '' });
    return JSON.stringify({ code: r.err ? r.err.code : 0, details: r.err ? r.err.details : r.response.status });
  },

  async reflection_list_services() {
    return new Promise((resolve, reject) => {
      const call = reflectionClient.ServerReflectionInfo({ deadline: deadline(10000) });
      call.on('data', (m) => {
        const names = m.list_services_response.service.map((s) => s.name);
        call.end();
        names.includes('antifraud.testing.v1.InteropTest') && names.includes('grpc.health.v1.Health')
          ? resolve(names.join(','))
          : reject(new Error(`services ${names.join(',')}`));
      });
      call.on('error', (e) => reject(new Error(`${e.code} ${e.details}`)));
      call.write({ list_services: '*' });
    });
  },
};

(async () => {
  const only = opt.check;
  for (const [name, fn] of Object.entries(checks)) {
    if (only && only !== name) continue;
    let line;
    try {
      const detail = await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after 20 s')), 20000))]);
      line = { name, ok: true, detail: String(detail) };
      if (name === 'health_status') Object.assign(line, JSON.parse(detail));
    } catch (e) {
      line = { name, ok: false, detail: e.message };
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  process.exit(0);
})();
