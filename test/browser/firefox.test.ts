// The browser suite in Firefox (see suite.ts and engines.ts).
import { describe } from 'vitest';
import { launchFirefox } from './engines.js';
import { browserSuite } from './suite.js';

describe('firefox', () => browserSuite(launchFirefox));
