// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A Connect server written with connect-es (connect-node's adapter on http.createServer, HTTP/1.1)
// for asioctx's client (client.cpp):
//   node server.mjs
// Serves 127.0.0.1 on a port the OS picks and prints "listening on 127.0.0.1:PORT".
//   POST /asioctx.interop.v1.WaitService/Wait  {"waitMs": N}
//     waits N ms, or until the call's signal aborts (its deadline), and answers
//     {"timeoutHeader": the connect-timeout-ms received ("" if none), "remainingMs": what connect-es
//      says is left of the deadline then (-1 if none)}
//   GET /stats  {"connections": TCP connections accepted so far}
// Exits on SIGTERM or SIGINT.

import http from "node:http";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { connectNodeAdapter } from "@connectrpc/connect-node";

// The service, described at run time (no code generation). Field types: 9 string, 13 uint32, 5 int32.
const field = (name, jsonName, number, type) => ({ name, jsonName, number, type, label: 1 });
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "asioctx/interop/v1/wait.proto",
    package: "asioctx.interop.v1",
    syntax: "proto3",
    messageType: [
      { name: "WaitRequest", field: [field("wait_ms", "waitMs", 1, 13)] },
      {
        name: "WaitResponse",
        field: [field("timeout_header", "timeoutHeader", 1, 9), field("remaining_ms", "remainingMs", 2, 5)],
      },
    ],
    service: [{
      name: "WaitService",
      method: [{
        name: "Wait",
        inputType: ".asioctx.interop.v1.WaitRequest",
        outputType: ".asioctx.interop.v1.WaitResponse",
      }],
    }],
  }),
  () => undefined,
);
const service = registry.getService("asioctx.interop.v1.WaitService");

// Resolves after ms, or rejects with the signal's reason when it aborts (connect-es aborts it at the
// call's deadline, with a deadline_exceeded ConnectError).
function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

const adapter = connectNodeAdapter({
  routes(router) {
    router.service(service, {
      async wait(req, ctx) {
        const timeoutHeader = ctx.requestHeader.get("connect-timeout-ms") ?? "";
        await wait(req.waitMs, ctx.signal);
        const left = ctx.timeoutMs();
        return { timeoutHeader, remainingMs: left === undefined ? -1 : Math.max(0, Math.floor(left)) };
      },
    });
  },
});

let connections = 0;
const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ connections }));
    return;
  }
  adapter(req, res);
});
server.on("connection", () => {
  connections += 1;
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
