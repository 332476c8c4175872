// A pingkeeper serve client: the REST API and the live WebSocket feed.
//
// Lists the monitored hosts, prints each host's latest result and the last
// hour's statistics, then subscribes to one host over the WebSocket and prints
// its ping_result messages, until --count results arrived or --seconds passed.
//
// Node.js 20 with its built-in fetch and WebSocket, nothing to install
// (Node 22 and later need no flag):
//
//   pingkeeper serve &                  # listens on 127.0.0.1:8080
//   node --experimental-websocket api_client.mjs --count 5
//   node --experimental-websocket api_client.mjs --url http://127.0.0.1:8080 --host lo --seconds 30
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    host: { type: 'string' },
    count: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
  },
});

const base = args.url.replace(/\/+$/, '');
const count = Number(args.count);
const seconds = Number(args.seconds);

// GET base + /api + path with query parameters; the decoded JSON body.
async function getJson(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined));
  const url = `${base}/api${path}` + (query.size ? `?${query}` : '');
  const response = await fetch(url, { signal: AbortSignal.timeout(10000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

// '0.042 ms', or 'lost (reason)' for a probe without an answer.
function rttText(result) {
  if (result.packet_loss) return result.error_message ? `lost (${result.error_message})` : 'lost';
  return `${result.response_time_ms.toFixed(3)} ms`;
}

// Prints hosts, latest results and statistics; returns the host list.
async function showRest(hostFilter) {
  const hosts = await getJson('/ping-metrics/hosts');
  const monitored = hosts.active_monitoring_hosts;
  console.log(`hosts: ${monitored.length ? monitored.join(', ') : '(none)'}`);
  console.log(`monitoring active: ${hosts.monitoring_active}`);

  const latest = await getJson('/ping-metrics/latest');
  for (const host of Object.keys(latest).sort()) {
    console.log(`latest ${host}: ${rttText(latest[host])} at ${latest[host].timestamp}`);
  }

  const stats = await getJson('/ping-metrics/statistics', { minutes: 60, host: hostFilter });
  console.log(
    `statistics (last 60 min${hostFilter ? `, ${hostFilter}` : ''}): ${stats.total_pings} pings, ` +
      `avg ${stats.avg_response_time} ms, p95 ${stats.p95_response_time} ms, loss ${stats.packet_loss_rate} %`,
  );
  return monitored;
}

// Subscribes to `host` and prints its ping_result messages; resolves to how
// many were printed.
function follow(wsUrl, host) {
  return new Promise((resolve, reject) => {
    let printed = 0;
    const ws = new WebSocket(wsUrl);
    const finish = () => {
      clearTimeout(timer);
      ws.close();
      resolve(printed);
    };
    const timer = setTimeout(finish, seconds * 1000);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe_host', host }));
    ws.onerror = (event) => {
      clearTimeout(timer);
      reject(new Error(`WebSocket ${wsUrl}: ${event.message ?? 'connection failed'}`));
    };
    ws.onclose = () => finish();
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'connection_established') {
        console.log(`connected: ${message.connection_id}`);
      } else if (message.type === 'initial_data') {
        console.log(`initial data: ${Object.keys(message.results).length} hosts`);
      } else if (message.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' })); // the server's heartbeat
      } else if (message.type === 'ping_result' && message.result.host === host && printed < count) {
        const result = message.result;
        console.log(`ping_result ${result.host} ${rttText(result)} at ${result.timestamp}`);
        if (++printed >= count) finish();
      } else if (message.type === 'error') {
        console.error(`server error: ${message.message}`);
      }
    };
  });
}

const monitored = await showRest(args.host);
const host = args.host ?? monitored[0];
if (host === undefined) {
  console.error('no host to follow: add a target first (pingkeeper target add ...)');
  process.exit(1);
}
const wsUrl = base.replace('http', 'ws') + '/api/ws/ping-status';
console.log(`following ${host} (at most ${count} results, ${seconds} s)`);
const printed = await follow(wsUrl, host);
console.log(`received ${printed} ping_result messages for ${host}`);
