import { benchCallbacks } from './callbacks.js';
import { benchEndToEnd } from './endToEnd.js';
import { benchIngest } from './ingest.js';
import { benchPostgresIngest } from './postgresIngest.js';
import { benchRtp } from './rtp.js';
import { benchSipCalls } from './sipCalls.js';
import { benchSmpp } from './smpp.js';
import { benchSmsEndToEnd } from './smsEndToEnd.js';
import { benchTts } from './tts.js';

/** `npm run bench`: every performance figure the issues ask for, printed; never part of `npm test`. */
const ingest = await benchIngest();
console.log();
await benchEndToEnd(ingest);
console.log();
await benchCallbacks();
console.log();
await benchTts();
console.log();
await benchPostgresIngest();
console.log();
await benchSmpp();
console.log();
await benchSmsEndToEnd();
console.log();
await benchRtp();
console.log();
await benchSipCalls();
