// The browser suite in WebKit (see suite.ts and engines.ts).
import { describe } from 'vitest';
import { launchWebKit } from './engines.js';
import { browserSuite } from './suite.js';

describe('webkit', () => browserSuite(launchWebKit));
