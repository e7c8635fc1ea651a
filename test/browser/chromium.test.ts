// The browser suite in Chromium (see suite.ts and engines.ts).
import { describe } from 'vitest';
import { launchChromium } from './engines.js';
import { browserSuite } from './suite.js';

describe('chromium', () => browserSuite(launchChromium));
