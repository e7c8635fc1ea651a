// The demo's browser scenarios in Chromium (see demo-browser.ts).
import { describe } from 'vitest';
import { launchChromium } from '../browser/engines.js';
import { demoSuite } from './demo-browser.js';

describe('demo in chromium', () => demoSuite(launchChromium));
