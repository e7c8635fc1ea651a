// The demo's browser scenarios in Firefox (see demo-browser.ts).
import { describe } from 'vitest';
import { launchFirefox } from '../browser/engines.js';
import { demoSuite } from './demo-browser.js';

describe('demo in firefox', () => demoSuite(launchFirefox));
