// Preloaded with `node --require` in the no-network test: every way Node code
// opens a socket or resolves a name is replaced by a recorder that appends
// one line to $SCANLENS_NET_LOG and throws, so nothing can reach the network
// and the test can see that something tried.
'use strict';
const fs = require('node:fs');

function blocked(what, detail) {
  const line = `${what} ${detail === undefined ? '' : JSON.stringify(detail)}`.trim();
  if (process.env.SCANLENS_NET_LOG) fs.appendFileSync(process.env.SCANLENS_NET_LOG, `${process.pid} ${line}\n`);
  throw new Error(`network use blocked by the test hook: ${line}`);
}

function replace(object, name, what) {
  if (typeof object[name] !== 'function') return;
  object[name] = function blockedCall(...args) {
    return blocked(what, typeof args[0] === 'object' && args[0] !== null ? { ...args[0] } : args[0]);
  };
}

const net = require('node:net');
replace(net.Socket.prototype, 'connect', 'net.Socket.connect');
const dns = require('node:dns');
for (const name of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'resolveSrv', 'reverse']) replace(dns, name, `dns.${name}`);
for (const name of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) replace(dns.promises, name, `dns.promises.${name}`);
for (const module of ['node:http', 'node:https']) {
  const http = require(module);
  replace(http, 'request', `${module}.request`);
  replace(http, 'get', `${module}.get`);
}
replace(require('node:tls'), 'connect', 'tls.connect');
replace(require('node:dgram'), 'createSocket', 'dgram.createSocket');
