// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// connect-es's client (connect-node, Connect protocol, HTTP/1.1, JSON) calling asioctx's server
// (server.cpp, started with a handler timeout of 300 ms):
//   node client.mjs PORT
// Prints a line per check and "connect interop passed"; exits 1 at the first failure.

import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, file_google_protobuf_empty } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

const port = process.argv[2];
const ourTimeoutMs = 300;  // server.cpp's handler timeout, as run_interop.cmake starts it

// The service, described at run time (no code generation): two unary methods, Empty to Empty.
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "asioctx/interop/v1/slow.proto",
    package: "asioctx.interop.v1",
    dependency: ["google/protobuf/empty.proto"],
    syntax: "proto3",
    service: [{
      name: "SlowService",
      method: [
        { name: "Fast", inputType: ".google.protobuf.Empty", outputType: ".google.protobuf.Empty" },
        { name: "Slow", inputType: ".google.protobuf.Empty", outputType: ".google.protobuf.Empty" },
      ],
    }],
  }),
  (name) => (name === "google/protobuf/empty.proto" ? file_google_protobuf_empty : undefined),
);
const service = registry.getService("asioctx.interop.v1.SlowService");

let failed = false;
function check(what, ok, detail) {
  console.log(`${ok ? "ok" : "FAILED"}: ${what}${detail ? ` (${detail})` : ""}`);
  if (!ok) failed = true;
}

// Calls a method; the ConnectError it raised (or null) and the time it took.
let client;
async function call(method, options) {
  const start = performance.now();
  try {
    await client[method]({}, options);
    return { error: null, ms: performance.now() - start };
  } catch (e) {
    return { error: ConnectError.from(e), ms: performance.now() - start };
  }
}

const codeName = (e) => (e ? `${Code[e.code]}: ${e.rawMessage}` : "none");

for (const useBinaryFormat of [false, true]) {
  console.log(`--- ${useBinaryFormat ? "binary" : "JSON"} codec`);
  client = createClient(service, createConnectTransport({
    baseUrl: `http://127.0.0.1:${port}`, httpVersion: "1.1", useBinaryFormat }));
  {
    const r = await call("fast", { timeoutMs: 2000 });
    check("Fast under a 2 s budget answers", r.error === null, codeName(r.error));
  }
  {
    // The budget runs out mid-call; the client's own timer races our answer.
    const r = await call("slow", { timeoutMs: 150 });
    check("Slow under a 150 ms budget raises deadline_exceeded", r.error?.code === Code.DeadlineExceeded,
          `${codeName(r.error)}, ${r.ms.toFixed(0)} ms`);
    check("  ... after about 150 ms, well before our own timeout", r.ms >= 140 && r.ms < ourTimeoutMs + 2000,
          `${r.ms.toFixed(0)} ms`);
  }
  {
    // The same budget in the header alone, no timer of the client's: our answer decides (a bare
    // 504 would raise unavailable).
    const r = await call("slow", { headers: { "connect-timeout-ms": "150" } });
    check("our deadline answer raises deadline_exceeded, not unavailable", r.error?.code === Code.DeadlineExceeded,
          `${codeName(r.error)}, ${r.ms.toFixed(0)} ms`);
    check("  ... and carries x-asioctx-deadline-exceeded: 1",
          r.error?.metadata.get("x-asioctx-deadline-exceeded") === "1");
    check("  ... after about 150 ms", r.ms >= 140 && r.ms < ourTimeoutMs + 2000, `${r.ms.toFixed(0)} ms`);
  }
  {
    // Sent as is (no timeoutMs): the client does not check the value, our server must.
    for (const bad of ["-1", "abc", "12345678901", "1.5", "", "+150", "150 ms", "1e3"]) {
      const r = await call("fast", { headers: { "connect-timeout-ms": bad } });
      check(`connect-timeout-ms "${bad}" raises invalid_argument`, r.error?.code === Code.InvalidArgument,
            `${codeName(r.error)}, ${r.ms.toFixed(0)} ms`);
    }
  }
  {
    // Spent on arrival: answered without the handler, deadline_exceeded with our marker.
    const r = await call("slow", { headers: { "connect-timeout-ms": "0" } });
    check("a budget spent on arrival raises deadline_exceeded", r.error?.code === Code.DeadlineExceeded,
          codeName(r.error));
    check("  ... and carries x-asioctx-deadline-exceeded: 1",
          r.error?.metadata.get("x-asioctx-deadline-exceeded") === "1");
    check("  ... at once", r.ms < 2000, `${r.ms.toFixed(0)} ms`);
  }
  {
    // No header: our own handler timeout is the deadline.
    const r = await call("slow", {});
    check("Slow with no budget raises deadline_exceeded at our timeout", r.error?.code === Code.DeadlineExceeded,
          `${codeName(r.error)}, ${r.ms.toFixed(0)} ms`);
    check(`  ... after our ${ourTimeoutMs} ms`, r.ms >= ourTimeoutMs - 10 && r.ms < ourTimeoutMs + 5000,
          `${r.ms.toFixed(0)} ms`);
  }
}
if (failed) {
  console.log("connect interop FAILED");
  process.exit(1);
}
console.log("connect interop passed");
