import { requireWithCodeCache } from './dist/code-cache.js';
import { createRequire } from 'node:module';
import fs from 'node:fs';
const w = process.argv[2];
const y = w === 'cc' ? requireWithCodeCache(import.meta.url, '/tmp/cg/yaml-kit.cjs') : w === 'none' ? null : createRequire(import.meta.url)('/tmp/cg/yaml-kit.cjs');
if (y) {
const t = fs.readFileSync('/tmp/cg/proj/shop/statemachines/order-fulfillment.asl.yaml','utf8');
const d = y.parseDocument(t, {lineCounter: new y.LineCounter(), uniqueKeys: true}); d.toJS();
}
