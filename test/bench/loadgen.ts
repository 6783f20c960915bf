export {};
// A closed-loop load generator in its own process: `concurrency` workers send the same request
// back to back for `seconds`, then it prints {requests, errors, seconds, rps} as JSON.
const [url, method, headersJson, body, secondsArg, concurrencyArg] = process.argv.slice(2);
const headers = JSON.parse(headersJson) as Record<string, string>;
const seconds = Number(secondsArg);
const concurrency = Number(concurrencyArg);
let requests = 0;
let errors = 0;
const deadline = performance.now() + seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      try {
        const response = await fetch(url, { method, headers, body: body || undefined });
        await response.arrayBuffer();
        if (response.ok) requests++;
        else errors++;
      } catch {
        errors++;
      }
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
console.log(JSON.stringify({ requests, errors, seconds: elapsed, rps: Math.round(requests / elapsed) }));
