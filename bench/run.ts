import { benchCallbacks } from './callbacks.js';
import { benchEndToEnd } from './endToEnd.js';
import { benchIngest } from './ingest.js';
import { benchPostgresIngest } from './postgresIngest.js';
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
